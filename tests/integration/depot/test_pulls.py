"""Full and quick pulls from Depot, asked for through the API, page by page with checkpoints."""

import datetime as dt
from typing import Any
from urllib.parse import parse_qs

from sqlalchemy import select

from tests.support.depot_world import DepotWorld
from tillsync.store.tables import Product, StockLevel

CATALOG = {"D-1": 5, "D-2": 6, "D-3": 7, "D-4": 8, "D-5": 9}
SMALL_PAGES = {"page_size": 2}


def _pages(world: DepotWorld, path: str) -> list[tuple[int, int]]:
    """Each GET of `path` since the log was cleared: (page asked for, status answered)."""
    return [
        (int(parse_qs(call.query)["page"][0]), call.status)
        for call in world.depot.state.traffic.calls_of("GET", path)
    ]


def _queries(world: DepotWorld, path: str) -> list[dict[str, list[str]]]:
    return [parse_qs(call.query) for call in world.depot.state.traffic.calls_of("GET", path)]


async def _hub_stock(world: DepotWorld) -> dict[str, Any]:
    async with world.hub.uows.read() as session:
        rows = await session.execute(select(StockLevel.sku, StockLevel.warehouse_available))
    return {sku: int(available) for sku, available in rows}


async def test_a_full_pull_reads_every_page_and_counts_its_run(world: DepotWorld) -> None:
    world.seed(CATALOG)
    await world.connect(SMALL_PAGES)
    await world.work()  # the first pull, queued by connecting
    world.depot.state.traffic.calls.clear()
    run = await world.finished(await world.pull("full"))
    assert _pages(world, "/products") == [(1, 200), (2, 200), (3, 200)]
    assert _pages(world, "/stock") == [(1, 200), (2, 200), (3, 200)]
    assert all(
        q["limit"] == ["2"] for q in _queries(world, "/products") + _queries(world, "/stock")
    )
    assert (run["status"], run["mode"], run["pages"]) == ("success", "full", 6)
    assert run["itemsSynced"] >= len(CATALOG)
    assert await _hub_stock(world) == CATALOG


async def test_a_quick_pull_reads_only_what_changed(world: DepotWorld) -> None:
    world.seed(CATALOG)
    await world.connect(SMALL_PAGES)
    await world.work()
    state = world.depot.state
    for product in state.account(world.account_id).products.values():
        product.updated_at -= dt.timedelta(days=1)  # the catalog was last edited yesterday
    for sku in ("D-2", "D-4"):
        state.seed_product(world.account_id, sku=sku, name=f"Renamed {sku}")
    state.traffic.calls.clear()
    run = await world.finished(await world.pull("quick"))
    async with world.hub.uows.read() as session:
        names = dict((await session.execute(select(Product.sku, Product.name))).all())
    (listing,) = _queries(world, "/products")
    assert "updated_since" in listing
    assert sorted(q["sku"][0] for q in _queries(world, "/stock")) == ["D-2", "D-4"]
    assert names == {
        sku: f"Renamed {sku}" if sku in ("D-2", "D-4") else f"Item {sku}" for sku in CATALOG
    }
    assert (run["status"], run["mode"]) == ("success", "quick")


async def test_a_pull_failing_mid_listing_resumes_at_the_page_it_stopped(
    world: DepotWorld,
) -> None:
    world.seed(CATALOG)
    await world.connect(SMALL_PAGES)
    await world.work()
    traffic = world.depot.state.traffic
    traffic.calls.clear()
    traffic.fail_next("/stock", method="GET", query={"page": "2"})
    run = await world.finished(await world.pull("full"))
    assert _pages(world, "/products") == [(1, 200), (2, 200), (3, 200)]  # read once
    assert _pages(world, "/stock") == [(1, 200), (2, 500), (2, 200), (3, 200)]
    assert (run["status"], run["pages"]) == ("success", 6)
    assert await _hub_stock(world) == CATALOG
