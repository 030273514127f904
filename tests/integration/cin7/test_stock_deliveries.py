"""Stock deliveries are hints: the hub re-reads CIN7, so old or reordered ones are harmless."""

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from tests.support.world import SKU, World, open_world
from tillsync.config import Settings
from tillsync.services.connections.registrations import webhook_secret
from tillsync.store.tables import AuditEntry, Connection, InboxEntry

FAST = {"rate_limit": {"calls": 100_000, "window_seconds": 1}}


@pytest.fixture
async def world(settings: Settings) -> AsyncIterator[World]:
    """The hub (jobs run by the test) and CIN7 with 20 of SKU; no webhook of CIN7's own."""
    async with open_world(settings, connection_settings=FAST, webhooks=False) as opened:
        yield opened


def _delivery(available: int, sku: str = SKU) -> list[dict[str, Any]]:
    """A stock delivery as CIN7 sends it: a bare array of rows, with no time of its own."""
    row = {
        "ID": "4c1e5a1e-0000-4000-8000-000000000001",
        "SKU": sku,
        "Name": "Tomb45 Shaving Cream",
        "Barcode": "",
        "Location": "Main Warehouse",
        "Bin": "",
        "Batch": "",
        "ExpiryDate": None,
        "Category": "Shaving",
        "OnHand": available,
        "Allocated": 0,
        "Available": available,
        "OnOrder": 0,
        "StockOnHand": available,
    }
    return [row]


async def _deliver(world: World, *figures: int) -> None:
    """Post deliveries to the hub's receiver with the connection's own secret, in order."""
    async with world.hub.hub.uows.read() as session:
        connection = await session.scalar(
            select(Connection).where(Connection.tenant_id == world.tenant_id)
        )
    assert connection is not None
    secret = webhook_secret(world.hub.hub.services, connection)
    url = f"{world.hub.url}/api/cin7/webhook?connection={connection.id}"
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {secret}"}) as http:
        for figure in figures:
            answer = await http.post(url, json=_delivery(figure))
            assert answer.status_code == 202, answer.text


async def _figures(world: World) -> dict[str, Any]:
    body = {"action": "CHECK_INVENTORY", "sku": SKU, "quantity": 1}
    answer = await world.pos.post("/api/cin7/sale-sync", json=body)
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


async def _count(world: World, model: Any, *where: Any) -> int:
    async with world.hub.hub.uows.read() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _set_cin7(world: World, available: int) -> None:
    """Change CIN7's figure behind the hub's back (no delivery is sent)."""
    (account,) = world.state.accounts.values()
    product = account.product_by_sku(SKU)
    assert product is not None
    product.rows[0].on_hand = Decimal(available)


async def _availability_calls(world: World) -> int:
    return sum(1 for c in world.state.calls_since() if c.path.endswith("/ref/productavailability"))


async def test_a_delivery_is_answered_with_cin7s_figure_not_its_own(world: World) -> None:
    _set_cin7(world, 12)
    await _deliver(world, 99)
    await world.hub.hub.create_worker().run_until_idle()
    figures = await _figures(world)
    assert (figures["warehouseAvailable"], figures["currentStock"]) == (12, 12)


async def test_a_replayed_older_delivery_changes_nothing(world: World) -> None:
    _set_cin7(world, 17)
    await _deliver(world, 17)
    await world.hub.hub.create_worker().run_until_idle()
    audits = await _count(world, AuditEntry, AuditEntry.figure == "warehouse_available")
    await _deliver(world, 20)  # what CIN7 said before the change, arriving again
    await world.hub.hub.create_worker().run_until_idle()
    assert (await _figures(world))["warehouseAvailable"] == 17
    assert await _count(world, AuditEntry, AuditEntry.figure == "warehouse_available") == audits
    assert await _count(world, InboxEntry, InboxEntry.status != "processed") == 0


async def test_a_reordered_pair_ends_at_the_newer_figure(world: World) -> None:
    _set_cin7(world, 14)
    await _deliver(world, 14, 20)  # the newer delivery first, the older one after it
    await world.hub.hub.create_worker().run_until_idle()
    assert (await _figures(world))["warehouseAvailable"] == 14


async def test_a_burst_of_deliveries_for_one_sku_costs_one_call(world: World) -> None:
    _set_cin7(world, 9)
    before = await _availability_calls(world)
    await _deliver(world, 13, 12, 11, 10, 9)
    worker = world.hub.hub.create_worker()
    worker.concurrency = 1  # every delivery's job (urgent) runs before the refresh (a check)
    await worker.run_until_idle()
    assert await _availability_calls(world) - before == 1
    assert (await _figures(world))["warehouseAvailable"] == 9
