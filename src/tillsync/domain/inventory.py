"""What the POS's stock questions come back with: a check, a hold, and a hold's end."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from tillsync.domain.ledger import StockFigures, check_message, format_quantity


@dataclass(frozen=True, slots=True)
class StockCheck:
    """A SKU's figures at a location against the quantity asked for."""

    sku: str
    quantity: Decimal
    location: str
    figures: StockFigures
    as_of: dt.datetime | None = None
    """How fresh the figures are: everything committed before this is counted."""

    @property
    def current_stock(self) -> Decimal:
        return self.figures.available_to_sell

    @property
    def available(self) -> bool:
        return self.current_stock >= self.quantity

    @property
    def message(self) -> str:
        return check_message(self.current_stock, self.quantity)


@dataclass(frozen=True, slots=True)
class Hold:
    """Stock reserved until `expires_at`, and what is left to sell after it."""

    reservation_id: str
    sku: str
    quantity: Decimal
    location: str
    expires_at: dt.datetime
    available_after: Decimal

    @property
    def message(self) -> str:
        return f"Reserved {format_quantity(self.quantity)} of {self.sku}"


@dataclass(frozen=True, slots=True)
class HoldEnded:
    """A release: `released` when this request gave the stock back, else how the hold ended."""

    reservation_id: str
    status: str
    released: bool

    @property
    def already_ended(self) -> bool:
        return not self.released

    @property
    def message(self) -> str:
        return "Reservation released" if self.released else f"Reservation already {self.status}"
