"""Zoho Inventory's world for the POS scenario table: `zoho_world` seen through `PosWorld`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tests.support.pos.world import Fault, MadeLine, MadeOrder, PosWorld
from tests.support.zoho_world import API, ZohoWorld, zoho_world
from tillsync.config import Settings
from tillsync.connectors.zoho.settings import ZohoSettings
from tillsync.emulators.zoho import FaultRule

SALESORDERS = "/salesorders"
WALK_IN = ZohoSettings().walk_in_customer


@dataclass
class ZohoPosWorld(PosWorld):
    zoho: ZohoWorld | None = None

    @property
    def _zoho(self) -> ZohoWorld:
        assert self.zoho is not None
        return self.zoho

    async def connect_fast(self, **extra: Any) -> None:
        await self._zoho.connect_fast(**extra)

    def made(self) -> list[MadeOrder]:
        org = self._zoho.zoho.organization(self._zoho.org.organization_id)
        return [_made(order, org.contacts) for order in org.salesorders.values()]

    def fail_next_create(self, fault: Fault) -> None:
        action = "reset_after" if fault == "lost" else "fail_before"
        status = 500 if fault == "lost" else int(fault)
        rule = FaultRule("POST", API + SALESORDERS, action, status=status)
        self._zoho.zoho.faults.configure(rules=[rule])

    def creates(self) -> list[int]:
        return self._zoho.calls("POST", SALESORDERS)

    def lookups(self) -> list[int]:
        return self._zoho.calls("GET", SALESORDERS)

    def catalog_ids(self) -> set[str]:
        return set(self._zoho.zoho.organization(self._zoho.org.organization_id).items)


def _made(order: dict[str, Any], contacts: dict[str, dict[str, Any]]) -> MadeOrder:
    contact = contacts.get(order["customer_id"]) or {}
    walk_in = contact.get("contact_name") == WALK_IN
    return MadeOrder(
        id=order["salesorder_id"],
        reference=order["reference_number"],
        lines=[
            MadeLine(
                catalog_id=line["item_id"] or None,
                name=line["name"],
                quantity=Decimal(line["quantity"]),
                unit_price=Decimal(line["rate"]),
                note=line.get("description") or None,
            )
            for line in order["line_items"]
        ],
        note=order.get("notes") or None,
        customer_name=None if walk_in else contact.get("contact_name"),
        customer_phone=None if walk_in else (contact.get("phone") or None),
        raw=order,
    )


@asynccontextmanager
async def zoho_pos_world(settings: Settings) -> AsyncIterator[PosWorld]:
    async with zoho_world(settings) as opened:
        yield ZohoPosWorld(
            opened.hub,
            opened.api,
            opened.tenant_id,
            provider="zoho",
            created_status=201,
            zoho=opened,
        )
