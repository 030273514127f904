"""CIN7's world for the warehouse scenario table: `open_world` seen through `WarehouseWorld`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal

from tests.support.depot_world import FAST
from tests.support.sandboxes import adjust_stock
from tests.support.warehouse.world import Fault, WarehouseWorld
from tests.support.world import SKU, World, open_world
from tillsync.config import Settings
from tillsync.emulators.cin7 import FaultRule

HOME = "Main Warehouse"
SEEDED = 20


@dataclass
class Cin7WarehouseWorld(WarehouseWorld):
    cin7: World | None = None

    @property
    def _cin7(self) -> World:
        assert self.cin7 is not None
        return self.cin7

    async def connect(self) -> None:
        """`open_world` connected and ran the first pull already."""

    def available(self, sku: str) -> Decimal:
        (account,) = self._cin7.state.accounts.values()
        product = account.product_by_sku(sku)
        assert product is not None
        rows = [row for row in product.rows if row.location.name == self.location]
        return sum((row.available for row in rows), Decimal(0))

    async def change_stock(self, sku: str, available: int) -> None:
        await adjust_stock(self._cin7.cin7, sku, available)  # a stock take; webhooks follow

    def fail_next_sale(self, fault: Fault) -> None:
        lost = fault == "lost"
        rule = FaultRule(
            method="POST", path="/sale", action="reset_after" if lost else "fail_before", status=500
        )
        self._cin7.state.faults.add_rule(rule)

    def sales(self, reference: str) -> int:
        (account,) = self._cin7.state.accounts.values()
        return sum(1 for sale in account.sales.values() if sale.external_id == reference)

    def creates(self) -> list[int]:
        return self._statuses("POST", "/sale")

    def lookups(self) -> list[int]:
        return self._statuses("GET", "/salelist")

    def _statuses(self, method: str, path: str) -> list[int]:
        calls = self._cin7.state.calls_since()
        return [c.status for c in calls if c.method == method and c.path.lower().endswith(path)]


@asynccontextmanager
async def cin7_warehouse_world(settings: Settings) -> AsyncIterator[WarehouseWorld]:
    given = FAST | {"push_mode": "per_sale"}
    async with open_world(settings, stock=SEEDED, connection_settings=given) as opened:
        yield Cin7WarehouseWorld(
            opened.hub.hub,
            opened.pos,
            opened.tenant_id,
            provider="cin7",
            location=HOME,
            stock={SKU: Decimal(SEEDED)},
            cin7=opened,
        )
