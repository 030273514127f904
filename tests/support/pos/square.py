"""Square's world for the POS scenario table: `square_world` seen through `PosWorld`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tests.support.pos.world import Fault, MadeLine, MadeOrder, PosWorld
from tests.support.square import square_emulator
from tests.support.square_world import SquareWorld, square_world
from tillsync.config import Settings
from tillsync.emulators.square import FaultRule

ORDERS, SEARCH = "/v2/orders", "/v2/orders/search"


@dataclass
class SquarePosWorld(PosWorld):
    square: SquareWorld | None = None

    @property
    def _square(self) -> SquareWorld:
        assert self.square is not None
        return self.square

    async def connect_fast(self, **extra: Any) -> None:
        await self._square.connect_fast(**extra)

    def made(self) -> list[MadeOrder]:
        return [_made(order) for order in self._square.orders.values()]

    def fail_next_create(self, fault: Fault) -> None:
        action = "reset_after" if fault == "lost" else "fail_before"
        status = 500 if fault == "lost" else int(fault)
        rule = FaultRule("POST", ORDERS, action, status=status)
        self._square.square.state.faults.configure(rules=[rule])

    def creates(self) -> list[int]:
        return self._statuses(ORDERS)

    def lookups(self) -> list[int]:
        return self._statuses(SEARCH)

    def catalog_ids(self) -> set[str]:
        emulated = self._square.square
        catalog = emulated.state.merchant(emulated.seller.merchant_id).catalog
        return {key for key, obj in catalog.items() if obj["type"] == "ITEM_VARIATION"}

    def _statuses(self, path: str) -> list[int]:
        calls = self._square.square.state.calls_since()
        return [c.status for c in calls if (c.method, c.path) == ("POST", path)]


def _made(order: dict[str, Any]) -> MadeOrder:
    pickup = (order.get("fulfillments") or [{}])[0].get("pickup_details") or {}
    recipient = pickup.get("recipient") or {}
    return MadeOrder(
        id=order["id"],
        reference=order.get("reference_id", ""),
        lines=[
            MadeLine(
                catalog_id=line.get("catalog_object_id"),
                name=line.get("name", ""),
                quantity=Decimal(line["quantity"]),
                unit_price=Decimal(line["base_price_money"]["amount"]).scaleb(-2),
                note=line.get("note"),
            )
            for line in order.get("line_items", [])
        ],
        note=pickup.get("note"),
        customer_name=recipient.get("display_name"),
        customer_phone=recipient.get("phone_number"),
        raw=order,
    )


@asynccontextmanager
async def square_pos_world(settings: Settings) -> AsyncIterator[PosWorld]:
    async with square_emulator() as emulated, square_world(settings, emulated) as opened:
        yield SquarePosWorld(
            opened.hub, opened.api, opened.tenant_id, provider="square", square=opened
        )
