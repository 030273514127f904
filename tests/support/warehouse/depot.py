"""Depot's world for the warehouse scenario table: `depot_world` seen through `WarehouseWorld`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal

from tests.support.depot import served_depot
from tests.support.depot_world import LOCATION, DepotWorld, depot_world
from tests.support.secrets import remember
from tests.support.warehouse.world import Fault, WarehouseWorld
from tillsync.config import Settings

SEEDED = {"D-1": 10, "D-2": 6}


@dataclass
class DepotWarehouseWorld(WarehouseWorld):
    depot: DepotWorld | None = None

    @property
    def _depot(self) -> DepotWorld:
        assert self.depot is not None
        return self.depot

    async def connect(self) -> None:
        await self._depot.connect({"push_mode": "per_sale"})
        await self.work()  # the first pull, queued by connecting

    def available(self, sku: str) -> Decimal:
        levels = self._depot.depot.state.account(self._depot.account_id).levels
        return levels[(sku, self.location)].available

    async def change_stock(self, sku: str, available: int) -> None:
        state = self._depot.depot.state
        state.set_stock(
            self._depot.account_id, sku=sku, location=self.location, on_hand=Decimal(available)
        )
        await state.settle()  # its delivery has reached the hub

    def fail_next_sale(self, fault: Fault) -> None:
        traffic = self._depot.depot.state.traffic
        if fault == "lost":
            traffic.lose_next_sale("drop")
        else:
            traffic.fail_next("/sales", method="POST", status=int(fault))

    def sales(self, reference: str) -> int:
        made = self._depot.depot.state.sales_by_reference(self._depot.account_id, reference)
        return len(made)

    def creates(self) -> list[int]:
        return [c.status for c in self._depot.depot.state.traffic.calls_of("POST", "/sales")]

    def lookups(self) -> list[int]:
        calls = self._depot.depot.state.traffic.calls_of("GET", "/sales")
        return [c.status for c in calls if "reference=" in c.query]


@asynccontextmanager
async def depot_warehouse_world(settings: Settings) -> AsyncIterator[WarehouseWorld]:
    async with served_depot(name="Depot Demo Ltd") as served:
        remember(served.api_key)
        async with depot_world(settings, served) as opened:
            opened.seed(SEEDED)
            yield DepotWarehouseWorld(
                opened.hub,
                opened.api,
                opened.tenant_id,
                provider="depot",
                location=LOCATION,
                stock={sku: Decimal(n) for sku, n in SEEDED.items()},
                created_status=201,
                depot=opened,
            )
