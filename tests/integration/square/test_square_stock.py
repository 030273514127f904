"""Square as a tenant's stock source, what is Square's own: the catalog read once for products
and counts; `inventory.count.updated` changes nothing for a POS-only connection; one stock
source per tenant. What every stock source does (pulls, sales made once through faults,
counts changed at the warehouse, reconciliation) is the warehouse table's,
`tests/integration/warehouse/`."""

from decimal import Decimal

from pydantic import SecretStr
from sqlalchemy import select

from tests.support.secrets import remember
from tests.support.square_world import SquareWorld
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


async def test_a_stock_sources_pull_reads_the_catalog_once_for_products_and_counts(
    world: SquareWorld,
) -> None:
    answer = await world.connect_stock_source()
    assert answer.status_code == 200, answer.text
    assert answer.json()["roles"] == ["pos", "warehouse"]

    figures = await _pulled(world)

    assert figures[("CHAI-L", MAIN)] == 80
    async with world.hub.uows.read() as session:
        names = {p.sku: p.name for p in await session.scalars(select(Product))}
    assert names["CHAI-L"] == "Masala Chai (Large)"
    assert _calls(world, "/v2/catalog/list") == [200]


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
