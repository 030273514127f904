"""Stock figures of one SKU at one location, and the words the POS shows for them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal(0)


def format_quantity(quantity: Decimal) -> str:
    """`2`, `2.5`: no trailing zeros, no exponent."""
    text = format(quantity.normalize(), "f")
    return text if text != "-0" else "0"


def is_whole(quantity: Decimal) -> bool:
    return quantity == quantity.to_integral_value()


@dataclass(frozen=True, slots=True)
class StockFigures:
    """available to sell = warehouse available - pending - reserved (never shown below zero)."""

    warehouse_available: Decimal
    pending: Decimal
    reserved: Decimal

    @property
    def net_stock(self) -> Decimal:
        """What the shop really has left once local sales are counted; holds are not."""
        return self.warehouse_available - self.pending

    @property
    def available_to_sell(self) -> Decimal:
        return max(self.warehouse_available - self.pending - self.reserved, ZERO)


def insufficient_message(available: Decimal, requested: Decimal) -> str:
    return (
        f"Insufficient stock (only {format_quantity(max(available, ZERO))} available, "
        f"need {format_quantity(requested)})"
    )


def check_message(available: Decimal, requested: Decimal) -> str:
    if available >= requested:
        return f"In stock ({format_quantity(available)} available)"
    return insufficient_message(available, requested)
