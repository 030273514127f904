"""What every POS world offers the scenario table: connect, place, fault, and what the POS
made, read back from its emulator in one shape."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from tests.support.ordering import OrderingApp, order_body
from tillsync.config import Settings

Fault = Literal["lost", "500", "429"]
"""The answer to the next create is lost after the order is made, or it fails first."""


@dataclass(frozen=True)
class MadeLine:
    catalog_id: str | None
    name: str
    quantity: Decimal
    unit_price: Decimal
    note: str | None


@dataclass(frozen=True)
class MadeOrder:
    id: str
    reference: str
    lines: list[MadeLine]
    note: str | None
    customer_name: str | None
    customer_phone: str | None
    raw: dict[str, Any]
    """As the emulator keeps it, for what the common shape does not say."""


@dataclass
class PosWorld(OrderingApp):
    tenant_id: str
    provider: str = ""
    created_status: int = 200
    """The status of a create the POS answers."""

    def order(self, order_id: str, **changes: Any) -> dict[str, Any]:
        """A valid order body of this business, with `changes` applied."""
        return order_body(self.tenant_id, order_id, **changes)

    async def connect_fast(self, **extra: Any) -> None:
        """Connect through seed 004's connect, with `extra` in its body; retries due at
        once and the rate budget out of the way."""
        raise NotImplementedError

    def made(self) -> list[MadeOrder]:
        """Every order the POS has, oldest first."""
        raise NotImplementedError

    def fail_next_create(self, fault: Fault) -> None:
        raise NotImplementedError

    def creates(self) -> list[int]:
        """The statuses of the POS's create calls, in order (0: the answer was lost)."""
        raise NotImplementedError

    def lookups(self) -> list[int]:
        """The statuses of the POS's look-ups of an order by our reference."""
        raise NotImplementedError

    def catalog_ids(self) -> set[str]:
        """The ids of what an order line can name at the POS (its catalog, as seeded)."""
        raise NotImplementedError


OpenWorld = Callable[[Settings], AbstractAsyncContextManager[PosWorld]]
