"""Zoho Inventory as a tenant's stock source: items and figures pulled into the ledger, an
item's workflow webhook read afresh, only for a connection made a stock source, and a
change at Zoho seen by a POS's check and the live stream by the poll alone."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal

from sqlalchemy import select, update

from tests.support.secrets import remember
from tests.support.sse import listen
from tests.support.zoho_world import API, ZohoWorld
from tillsync.emulators.zoho import Workflow
from tillsync.services.connections.links import find_connection
from tillsync.services.connections.settings import update_settings
from tillsync.store.tables import Connection, InboxEntry, StockLevel, Tenant

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


POLL_MINUTES = 0.02
"""A poll every 1.2 s, for the test of a change told by nothing but the poll."""
SLACK_SECONDS = 10.0
"""Beyond the poll interval: a loaded test machine, not a figure of the requirement."""


async def test_a_stock_change_at_zoho_reaches_a_pos_check_and_the_live_stream_by_the_poll(
    world: ZohoWorld,
) -> None:
    """No workflow webhook set up at Zoho: the interval pull alone finds the change (a
    webhook's way to the stream is the warehouse scenario table's)."""
    answer = await world.connect_stock_source()
    assert answer.status_code == 200, answer.text
    remember(answer.json()["webhook"]["secret"])
    given = {"sync_interval_minutes": POLL_MINUTES}  # the default 15 would not come round
    await update_settings(
        world.hub.services, tenant_id=world.tenant_id, provider="zoho", given=given
    )
    await _far_from_the_nightly_sync(world)  # its reconciliation would find the change too
    await world.work()  # the first pull, queued by connecting
    assert (await _check(world))["warehouseAvailable"] == 0
    world.hub.settings.scheduler_seconds = 0.1
    org, item = world.org.organization_id, _item_id(world, "PBM-1")
    async with _running(world), listen(world.api) as stream:
        world.zoho.set_stock(org, item, world.org.location_id, Decimal(6))
        changed = await stream.next(
            "stock.changed",
            timeout=POLL_MINUTES * 60 + SLACK_SECONDS,
            where=lambda data: data["sku"] == "PBM-1" and Decimal(data["available_to_sell"]),
        )
    assert (changed.data["location"], Decimal(changed.data["available_to_sell"])) == (MAIN, 6)
    checked = await _check(world)
    assert (checked["warehouseAvailable"], checked["currentStock"]) == (6, 6)
    assert world.zoho.deliveries_since() == []  # told by nothing but the poll


async def _check(world: ZohoWorld) -> dict[str, object]:
    """Seed 000's CHECK_INVENTORY of Paneer Butter Masala, as a POS asks it."""
    body = {"action": "CHECK_INVENTORY", "sku": "PBM-1", "quantity": 1, "location": MAIN}
    answer = await world.api.post("/api/cin7/sale-sync", json=body)
    assert answer.status_code == 200, answer.text
    checked: dict[str, object] = answer.json()
    return checked


async def _far_from_the_nightly_sync(world: ZohoWorld) -> None:
    """The tenant in a zone where it is about noon: 03:00's safety sync is hours away."""
    hours = (12 - dt.datetime.now(dt.UTC).hour + 12) % 24 - 12
    zone = f"Etc/GMT{'-' if hours >= 0 else '+'}{abs(hours)}"  # Etc/GMT-3 is UTC+3
    async with world.hub.uows.begin() as uow:
        await uow.session.execute(
            update(Tenant).where(Tenant.id == world.tenant_id).values(timezone=zone)
        )
        await uow.commit()


@asynccontextmanager
async def _running(world: ZohoWorld) -> AsyncIterator[None]:
    """The hub's worker with its scheduler, as `tillsync worker` runs them."""
    stop = asyncio.Event()
    running = asyncio.create_task(world.hub.run_worker(stop))
    try:
        yield
    finally:
        stop.set()
        await running


async def _connection(world: ZohoWorld) -> Connection:
    async with world.hub.uows.read() as session:
        found = await find_connection(session, world.tenant_id, "zoho")
    assert found is not None
    return found
