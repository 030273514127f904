"""Full and quick pulls on request: every page, only what changed, one of a kind at a time."""

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from tests.support.world import SKU, World, open_world
from tillsync.config import Settings
from tillsync.emulators.cin7.records import Account, StockRow
from tillsync.store.tables import Product, Run, SaleLine, StockLevel

FAST = {"rate_limit": {"calls": 100_000, "window_seconds": 1}}
PRODUCTS = "/externalapi/v2/product"
AVAILABILITY = "/externalapi/v2/ref/productavailability"


def _account(world: World) -> Account:
    (account,) = world.state.accounts.values()
    return account


def _calls(world: World, path: str) -> list[Any]:
    return [c for c in world.state.calls if c.method == "GET" and c.path.lower() == path]


async def _request(world: World, path: str) -> str:
    answer = await world.pos.post(path)
    assert answer.status_code == 202, answer.text
    run_id: str = answer.json()["runId"]
    return run_id


async def _progress(world: World, run_id: str) -> dict[str, Any]:
    answer = await world.pos.get(f"/api/cin7/sync/{run_id}")
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def test_a_catalog_of_more_than_fifty_pages_syncs_completely(settings: Settings) -> None:
    # 10 products a page keeps the test fast: 601 products are 61 pages, past the seed's cap
    small_pages = {**FAST, "page_size": 10}
    async with open_world(settings, webhooks=False, connection_settings=small_pages) as world:
        account = _account(world)
        world.state.generate_products(account.id, count=600, prefix="GEN")
        world.state.calls.clear()
        run_id = await _request(world, "/api/cin7/sync")
        await world.hub.hub.create_worker().run_until_idle()
        progress = await _progress(world, run_id)
        async with world.hub.hub.uows.read() as session:
            skus = set(await session.scalars(select(Product.sku)))
            stocked = {
                sku
                for sku, available in await session.execute(
                    select(StockLevel.sku, StockLevel.warehouse_available)
                )
                if available
            }
    product_pages = _calls(world, PRODUCTS)
    stock_pages = _calls(world, AVAILABILITY)
    assert len(product_pages) == 61
    assert all("Limit=10" in call.query for call in product_pages + stock_pages)
    assert skus == {p.sku for p in account.products.values()}
    assert stocked == {p.sku for p in account.products.values() if any(r.on_hand for r in p.rows)}
    assert progress["status"] == "success"
    assert progress["mode"] == "full"
    assert progress["pages"] == len(product_pages) + len(stock_pages)


async def test_a_full_sync_retires_vanished_and_deprecated_products_and_keeps_history(
    settings: Settings,
) -> None:
    async with open_world(settings, webhooks=False, connection_settings=FAST) as world:
        account = _account(world)
        world.state.generate_products(account.id, count=3, prefix="OLD")
        await _request(world, "/api/cin7/sync")
        await world.hub.hub.create_worker().run_until_idle()
        await world.sell("S-1", quantity=1, sku="OLD-000002")
        await world.hub.hub.create_worker().run_until_idle()
        gone = account.products_by_sku.pop("old-000002")
        del account.products[gone.id]
        deprecated = account.product_by_sku("OLD-000003")
        assert deprecated is not None
        body = {"ID": deprecated.id, "Status": "Deprecated"}
        assert (await world.cin7.put("/product", json=body)).status_code == 200
        run_id = await _request(world, "/api/cin7/sync")
        await world.hub.hub.create_worker().run_until_idle()
        async with world.hub.hub.uows.read() as session:
            active = dict((await session.execute(select(Product.sku, Product.active))).all())
            run = await session.get(Run, run_id)
            lines = await session.scalar(select(func.count()).where(SaleLine.sku == "OLD-000002"))
            kept = await session.scalar(select(StockLevel).where(StockLevel.sku == "OLD-000002"))
    assert active == {SKU: True, "OLD-000002": False, "OLD-000003": False, "OLD-000004": True}
    assert run is not None
    assert (run.status, run.items_deleted) == ("success", 1)
    assert lines == 1  # its sale stays
    assert kept is not None
    assert kept.warehouse_available == 0  # CIN7 no longer holds it anywhere


async def test_a_second_request_of_the_same_kind_is_refused_with_the_queued_runs_id(
    settings: Settings,
) -> None:
    async with open_world(settings, connection_settings=FAST) as world:
        queued = {}
        for path in ("/api/cin7/sync", "/api/cin7/quick-sync", "/api/cin7/reconcile"):
            queued[path] = await _request(world, path)  # other kinds do not block each other
        for path, run_id in queued.items():
            answer = await world.pos.post(path)
            assert answer.status_code == 409, answer.text
            body = answer.json()
            assert (body["error"], body["field"], body["runId"]) == (
                "sync_in_progress",
                "runId",
                run_id,
            )
            assert body["message"]
        await world.hub.hub.create_worker().run_until_idle()
        for run_id in queued.values():
            assert (await _progress(world, run_id))["status"] == "success"
        assert await _request(world, "/api/cin7/sync") not in queued.values()


async def test_pull_requests_need_a_connection_and_a_known_run(settings: Settings) -> None:
    async with open_world(settings, connection_settings=FAST) as world:
        assert (await world.pos.delete("/api/cin7/credentials")).status_code == 200
        for path in ("/api/cin7/sync", "/api/cin7/quick-sync", "/api/cin7/reconcile"):
            answer = await world.pos.post(path)
            assert answer.status_code == 404, answer.text
            assert answer.json()["field"] == "connection"
        for run_id in ("00000000-0000-0000-0000-000000000000", "not a run"):
            answer = await world.pos.get(f"/api/cin7/sync/{run_id}")
            assert answer.status_code in (404, 422), answer.text
            assert answer.json()["field"]


async def test_quick_sync_after_a_handful_of_changes_fetches_only_them(settings: Settings) -> None:
    async with open_world(settings, webhooks=False, connection_settings=FAST) as world:
        account = _account(world)
        world.state.generate_products(account.id, count=300, prefix="GEN")
        for product in account.products.values():  # the catalog was last edited yesterday
            product.last_modified -= dt.timedelta(days=1)
        await _request(world, "/api/cin7/sync")
        await world.hub.hub.create_worker().run_until_idle()
        changed = ["GEN-000010", "GEN-000123", "GEN-000250"]
        for sku in changed:
            product = account.product_by_sku(sku)
            assert product is not None
            body = {"ID": product.id, "Name": f"Renamed {sku}"}
            assert (await world.cin7.put("/product", json=body)).status_code == 200
        adjustment = {
            "EffectiveDate": "2026-11-21T10:00:00",
            "Status": "COMPLETED",
            "Lines": [
                {"SKU": changed[0], "Quantity": 42, "UnitCost": 5, "Location": "Main Warehouse"}
            ],
        }
        assert (await world.cin7.post("/stockadjustment", json=adjustment)).status_code == 200
        world.state.calls.clear()
        run_id = await _request(world, "/api/cin7/quick-sync")
        await world.hub.hub.create_worker().run_until_idle()
        progress = await _progress(world, run_id)
        async with world.hub.hub.uows.read() as session:
            names = dict(
                (
                    await session.execute(
                        select(Product.sku, Product.name).where(Product.sku.in_(changed))
                    )
                ).all()
            )
            stock = await session.scalar(select(StockLevel).where(StockLevel.sku == changed[0]))
    (listing,) = _calls(world, PRODUCTS)
    assert "ModifiedSince=" in listing.query
    asked = sorted(c.query.split("Sku=")[1].split("&")[0] for c in _calls(world, AVAILABILITY))
    assert asked == changed
    assert len(world.state.calls) == 1 + len(changed)
    assert names == {sku: f"Renamed {sku}" for sku in changed}
    assert stock is not None
    assert stock.warehouse_available == Decimal(42)
    assert (progress["status"], progress["mode"], progress["type"]) == (
        "success",
        "quick",
        "manual",
    )


async def test_a_skus_rows_straddling_pages_are_summed(settings: Settings) -> None:
    # One row a page: the shaving cream's two bins in the back room come on two pages.
    async with open_world(settings, connection_settings={**FAST, "page_size": 1}) as world:
        account = _account(world)
        back_room = world.state.add_location(account.id, "Back Room", bins=["A", "B"])
        product = account.product_by_sku(SKU)
        assert product is not None
        for bin_name, on_hand in (("A", 4), ("B", 7)):
            row = StockRow(back_room, bin_name, None, None, on_hand=Decimal(on_hand))
            product.rows.append(row)
        run_id = await _request(world, "/api/cin7/sync")
        await world.hub.hub.create_worker().run_until_idle()
        assert (await _progress(world, run_id))["status"] == "success"
        async with world.hub.hub.uows.read() as session:
            level = await session.scalar(
                select(StockLevel).where(StockLevel.sku == SKU, StockLevel.location == "Back Room")
            )
    assert level is not None
    assert (level.warehouse_available, level.warehouse_on_hand) == (Decimal(11), Decimal(11))
