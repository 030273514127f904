"""Zoho Inventory's world for the warehouse scenario table: a Zoho connection made with the
roles `pos` and `warehouse`, its item workflow webhook pasted at Zoho, seen through
`WarehouseWorld`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal

from tests.support.secrets import remember
from tests.support.warehouse.world import Fault, WarehouseWorld
from tests.support.zoho_world import API, ITEMS, ZohoWorld, zoho_world
from tillsync.config import Settings
from tillsync.emulators.zoho import FaultRule, Workflow

ORDERS = API + "/salesorders"
SEEDED = {"PBM-1": 30, "NAAN-1": 12}


@dataclass
class ZohoWarehouseWorld(WarehouseWorld):
    zoho: ZohoWorld | None = None

    @property
    def _zoho(self) -> ZohoWorld:
        assert self.zoho is not None
        return self.zoho

    async def connect(self) -> None:
        answer = await self._zoho.connect_stock_source()
        assert answer.status_code == 200, answer.text
        pasted = answer.json()["webhook"]  # what the user pastes into Zoho's workflow rule
        remember(pasted["secret"])
        org = self._zoho.org.organization_id
        self._zoho.zoho.add_workflow(
            Workflow(org, "item", pasted["url"], pasted["header"], pasted["secret"])
        )
        await self.work()  # the first pull, queued by connecting

    def available(self, sku: str) -> Decimal:
        organization = self._zoho.zoho.organization(self._zoho.org.organization_id)
        item = next(item for item in organization.items.values() if item.sku == sku)
        return item.stock(organization.primary.id)[1]

    async def change_stock(self, sku: str, available: int) -> None:
        state, org = self._zoho.zoho, self._zoho.org
        organization = state.organization(org.organization_id)
        item = next(item for item in organization.items.values() if item.sku == sku)
        state.set_stock(org.organization_id, item.id, org.location_id, Decimal(available))

    def fail_next_sale(self, fault: Fault) -> None:
        lost = fault == "lost"
        rule = FaultRule("POST", ORDERS, "reset_after" if lost else "fail_before", status=500)
        self._zoho.zoho.faults.add_rule(rule)

    def hold_next_sale(self) -> None:
        self._zoho.zoho.faults.add_rule(FaultRule("POST", ORDERS, "delay_after", seconds=60))

    def sales(self, reference: str) -> int:
        organization = self._zoho.zoho.organization(self._zoho.org.organization_id)
        orders = organization.salesorders.values()
        return sum(1 for order in orders if order.get("reference_number") == reference)

    def creates(self) -> list[int]:
        return self._zoho.calls("POST", "/salesorders")

    def lookups(self) -> list[int]:
        return self._zoho.calls("GET", "/salesorders")


@asynccontextmanager
async def zoho_warehouse_world(settings: Settings) -> AsyncIterator[WarehouseWorld]:
    async with zoho_world(settings) as opened:
        org = opened.org
        for seed in ITEMS:
            organization = opened.zoho.organization(org.organization_id)
            item = next(i for i in organization.items.values() if i.sku == seed.sku)
            opened.zoho.set_stock(
                org.organization_id, item.id, org.location_id, Decimal(SEEDED[seed.sku])
            )
        location = opened.zoho.organization(org.organization_id).primary.name
        yield ZohoWarehouseWorld(
            opened.hub,
            opened.api,
            opened.tenant_id,
            provider="zoho",
            location=location,
            stock={sku: Decimal(n) for sku, n in SEEDED.items()},
            created_status=201,
            zoho=opened,
        )
