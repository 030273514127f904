"""Square as a tenant's stock source: the catalog and counts pulled into the ledger, a sale
adjusted once at Square, `inventory.count.updated` read afresh; only for a connection that
was made a stock source, and only one stock source per tenant."""

from decimal import Decimal
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from tests.support.secrets import remember
from tests.support.square_world import SquareWorld
from tillsync.emulators.square import FaultRule
from tillsync.store.tables import InboxEntry, Job, Product, StockLevel

MAIN = "Main Street"
"""The emulated seller's location: its name is the ledger's location."""
SOLD = "/v2/inventory/changes/batch-create"
LOOKED_UP = "/v2/inventory/changes/batch-retrieve"


async def _figures(world: SquareWorld) -> dict[tuple[str, str], Decimal]:
    async with world.hub.uows.read() as session:
        rows = await session.scalars(
            select(StockLevel).where(StockLevel.tenant_id == world.tenant_id)
        )
        return {(row.sku, row.location): row.warehouse_available for row in rows}


async def _pulled(world: SquareWorld) -> dict[tuple[str, str], Decimal]:
    async def figures() -> dict[tuple[str, str], Decimal]:
        return await _figures(world)

    found: dict[tuple[str, str], Decimal] = await world.work_until(figures)
    return found


def _variation(world: SquareWorld, sku: str) -> str:
    catalog = world.square.state.merchant(world.square.seller.merchant_id).catalog
    (found,) = [
        obj["id"]
        for obj in catalog.values()
        if obj["type"] == "ITEM_VARIATION" and obj["item_variation_data"].get("sku") == sku
    ]
    return str(found)


def _count(world: SquareWorld, sku: str) -> Decimal:
    merchant = world.square.state.merchant(world.square.seller.merchant_id)
    key = (_variation(world, sku), world.square.seller.location_id, "IN_STOCK")
    return merchant.counts[key].quantity


def _subscribed(world: SquareWorld) -> None:
    url = world.url + "/api/webhooks/square"
    key = world.square.state.subscribe(url, ["inventory.count.updated"]).signature_key
    remember(key)
    world.hub.services.settings.webhook_signature_keys = {"square": SecretStr(key)}


def _calls(world: SquareWorld, path: str) -> list[int]:
    return [c.status for c in world.square.state.calls_since() if c.path == path]


async def test_a_stock_source_pulls_the_catalog_and_counts_into_the_ledger(
    world: SquareWorld,
) -> None:
    answer = await world.connect_stock_source()
    assert answer.status_code == 200, answer.text
    assert answer.json()["roles"] == ["pos", "warehouse"]

    figures = await _pulled(world)

    seeded = {("PBM-REG", MAIN): 40, ("CHAI-S", MAIN): 100, ("CHAI-L", MAIN): 80}
    assert {key: figures.get(key) for key in seeded} == seeded
    async with world.hub.uows.read() as session:
        names = {p.sku: p.name for p in await session.scalars(select(Product))}
    assert names["CHAI-L"] == "Masala Chai (Large)"
    assert _calls(world, "/v2/catalog/list") == [200]  # read once for products and counts


@pytest.mark.parametrize("fault", [None, "reset_after"])
async def test_a_sale_is_adjusted_at_square_once(world: SquareWorld, fault: Any) -> None:
    await world.connect_stock_source(push_mode="per_sale")
    await _pulled(world)
    if fault:
        world.square.state.faults.configure(rules=[FaultRule("POST", SOLD, fault)])
    body = {
        "saleId": "POS-SQ-1",
        "location": MAIN,
        "items": [{"sku": "PBM-REG", "quantity": 2, "price": 15}],
    }
    answer = await world.api.post("/api/sales", json=body)
    assert answer.status_code == 200, answer.text

    async def pushed() -> bool:
        async with world.hub.uows.read() as session:
            job = await session.scalar(select(Job).where(Job.kind == "square.push_sale"))
            return job is not None and job.state == "success"

    await world.work_until(pushed)
    assert _count(world, "PBM-REG") == Decimal(38)
    merchant = world.square.state.merchant(world.square.seller.merchant_id)
    ours = [c for c in merchant.changes if c["adjustment"].get("reference_id") == "POS-SQ-1"]
    assert len(ours) == 1
    # after an answer lost on the way back, the adjustment is looked for before again
    assert _calls(world, SOLD) == ([0] if fault else [200])
    assert _calls(world, LOOKED_UP) == ([200] if fault else [])


async def test_a_count_changed_at_square_reaches_the_ledger_of_its_stock_source(
    world: SquareWorld,
) -> None:
    _subscribed(world)
    await world.connect_stock_source()
    await _pulled(world)
    seller = world.square.seller
    world.square.state.set_count(
        seller.merchant_id, _variation(world, "CHAI-S"), seller.location_id, Decimal(7)
    )

    async def counted() -> bool:
        return (await _figures(world))[("CHAI-S", MAIN)] == Decimal(7)

    assert await world.work_until(counted)
    assert [d.status for d in world.square.state.deliveries_since()] == [202]


async def test_a_count_changed_at_square_changes_nothing_for_a_pos_only_connection(
    world: SquareWorld,
) -> None:
    _subscribed(world)
    await world.connect_fast()
    seller = world.square.state
    seller.set_count(
        world.square.seller.merchant_id,
        _variation(world, "CHAI-S"),
        world.square.seller.location_id,
        Decimal(7),
    )

    async def applied() -> list[InboxEntry]:
        async with world.hub.uows.read() as session:
            rows = await session.scalars(select(InboxEntry).where(InboxEntry.status != "received"))
            return list(rows)

    (entry,) = await world.work_until(applied)
    assert (entry.event_type, entry.status) == ("inventory.count.updated", "processed")
    assert await _figures(world) == {}
    async with world.hub.uows.read() as session:
        kinds = set(await session.scalars(select(Job.kind)))
    assert "square.refresh_stock" not in kinds
    assert "square.sync_catalog" not in kinds


async def test_a_second_stock_source_is_refused_naming_roles(world: SquareWorld) -> None:
    assert (await world.connect_stock_source()).status_code == 200
    body = {"credentials": {"accountId": "a", "apiKey": "b"}}
    answer = await world.api.put("/api/connections/cin7", json=body)
    assert answer.status_code == 409, answer.text
    assert answer.json()["field"] == "roles"
    async with world.hub.uows.read() as session:
        providers = list(await session.scalars(select(Job.kind).where(Job.kind.like("cin7.%"))))
    assert providers == []


async def test_a_role_the_provider_cannot_play_is_refused(world: SquareWorld) -> None:
    answer = await world.connect_stock_source()
    assert answer.status_code == 200
    body = {"credentials": {"merchant_id": "M"}, "roles": ["crm"]}
    refused = await world.api.put("/api/connections/square", json=body)
    assert refused.status_code == 422, refused.text
    assert refused.json()["field"] == "roles"
