"""Zoho Inventory as a tenant's stock source: items and figures pulled into the ledger, and
an item's workflow webhook read afresh, only for a connection made a stock source."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from tests.support.secrets import remember
from tests.support.zoho_world import API, ZohoWorld
from tillsync.emulators.zoho import Workflow
from tillsync.services.connections.links import find_connection
from tillsync.store.tables import Connection, InboxEntry, StockLevel

MAIN = "Main Warehouse"


async def _figures(world: ZohoWorld) -> dict[tuple[str, str], Decimal]:
    async with world.hub.uows.read() as session:
        rows = await session.scalars(
            select(StockLevel).where(StockLevel.tenant_id == world.tenant_id)
        )
        return {(row.sku, row.location): row.warehouse_available for row in rows}


def _item_id(world: ZohoWorld, sku: str) -> str:
    items = world.zoho.organization(world.org.organization_id).items.values()
    return next(item.id for item in items if item.sku == sku)


async def test_a_stock_source_pulls_items_and_follows_an_item_webhook(world: ZohoWorld) -> None:
    org = world.org.organization_id
    world.zoho.set_stock(org, _item_id(world, "PBM-1"), world.org.location_id, Decimal(9))
    answer = await world.connect_stock_source()
    assert answer.status_code == 200, answer.text
    assert answer.json()["roles"] == ["pos", "warehouse"]

    async def pulled() -> dict[tuple[str, str], Decimal] | None:
        figures = await _figures(world)
        return figures if ("PBM-1", MAIN) in figures else None

    figures = await world.work_until(pulled)
    assert figures[("PBM-1", MAIN)] == 9
    pasted = answer.json()["webhook"]  # shown this once, as in every connect answer
    remember(pasted["secret"])
    assert pasted["url"].endswith(f"?connection={(await _connection(world)).id}")
    world.zoho.add_workflow(
        Workflow(org, "item", pasted["url"], pasted["header"], pasted["secret"])
    )
    world.zoho.set_stock(org, _item_id(world, "PBM-1"), world.org.location_id, Decimal(4))

    async def followed() -> dict[tuple[str, str], Decimal] | None:
        figures = await _figures(world)
        return figures if figures[("PBM-1", MAIN)] == 4 else None

    await world.work_until(followed)
    reads = [
        c for c in world.zoho.calls_since() if c.path == API + "/items/" + _item_id(world, "PBM-1")
    ]
    assert reads  # the figure was read afresh at Zoho, not taken from the delivery


async def test_an_item_webhook_for_a_pos_only_connection_applies_nothing(world: ZohoWorld) -> None:
    answer = await world.connect_fast()
    pasted = answer.json()["data"]["integration"]["webhook"]
    remember(pasted["secret"])
    org = world.org.organization_id
    world.zoho.add_workflow(
        Workflow(org, "item", pasted["url"], pasted["header"], pasted["secret"])
    )
    world.zoho.set_stock(org, _item_id(world, "PBM-1"), world.org.location_id, Decimal(4))

    async def applied() -> list[str] | None:
        async with world.hub.uows.read() as session:
            states = list(await session.scalars(select(InboxEntry.status)))
        return states if states and "received" not in states else None

    assert await world.work_until(applied) == ["processed"]
    assert await _figures(world) == {}


async def _connection(world: ZohoWorld) -> Connection:
    async with world.hub.uows.read() as session:
        found = await find_connection(session, world.tenant_id, "zoho")
    assert found is not None
    return found
