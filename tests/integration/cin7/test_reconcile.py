"""Reconciliation finds every drift planted between the hub and CIN7, repairs it, reports it."""

from decimal import Decimal
from typing import Any

from sqlalchemy import select, update

from tests.support.world import SKU, World, open_world
from tillsync.config import Settings
from tillsync.emulators.cin7 import FaultRule
from tillsync.emulators.cin7.commands import ProductSeed
from tillsync.store.tables import Alert, Product, StockLevel

FAST = {"rate_limit": {"calls": 100_000, "window_seconds": 1}}
HOME = "Main Warehouse"


async def _reconcile(world: World) -> dict[str, Any]:
    answer = await world.pos.post("/api/cin7/reconcile")
    assert answer.status_code == 202, answer.text
    await world.hub.hub.create_worker().run_until_idle()
    listing = await world.pos.get("/api/cin7/reconcile/reports", params={"limit": 1})
    assert listing.status_code == 200, listing.text
    (latest,) = listing.json()["reports"]
    assert latest["id"] == answer.json()["runId"]  # latest first
    detail = await world.pos.get(f"/api/cin7/reconcile/reports/{latest['id']}")
    assert detail.status_code == 200, detail.text
    report: dict[str, Any] = detail.json()
    return report


async def test_reconciliation_repairs_and_reports_every_planted_drift(settings: Settings) -> None:
    async with open_world(settings, connection_settings=FAST) as world:
        (account,) = world.state.accounts.values()
        world.state.seed_products(
            account.id,
            [
                ProductSeed(sku="DROP-1", name="Beard oil", stock={HOME: Decimal(7)}),
                ProductSeed(sku="GONE-1", name="Old clippers", stock={HOME: Decimal(5)}),
            ],
        )
        assert (await world.pos.post("/api/cin7/sync")).status_code == 202
        await world.hub.hub.create_worker().run_until_idle()
        assert (await _reconcile(world))["driftFound"] == 0  # a hub just synced has none
        hub = world.hub.hub
        async with hub.uows.begin() as uow:  # a lost delivery: the hub holds a stale figure
            await uow.session.execute(
                update(StockLevel)
                .where(StockLevel.sku == SKU)
                .values(warehouse_available=99, warehouse_on_hand=99)
            )
            await uow.commit()
        dropped = account.product_by_sku("DROP-1")
        assert dropped is not None
        dropped.rows[0].on_hand = Decimal(0)  # CIN7 omits the row now; no delivery told us
        gone = account.products_by_sku.pop("gone-1")
        del account.products[gone.id]
        hooks = (await world.cin7.get("/webhooks")).json()["Webhooks"]
        (product_hook,) = [h for h in hooks if h["Type"] == "Product/Updated"]
        await world.cin7.delete("/webhooks", params={"ID": product_hook["ID"]})

        report = await _reconcile(world)
        found = {
            (
                i["kind"],
                i["sku"],
                i["location"],
                i["field"],
                i["hubValue"],
                i["cin7Value"],
                i["fixed"],
            )
            for i in report["items"]
        }
        assert found == {
            ("stock", SKU, HOME, "available", "99", "20", True),
            ("stock", SKU, HOME, "on_hand", "99", "20", True),
            ("stock", "DROP-1", HOME, "available", "7", "0", True),
            ("stock", "DROP-1", HOME, "on_hand", "7", "0", True),
            ("product", "GONE-1", None, "listed", "active", "absent", True),
            ("stock", "GONE-1", HOME, "available", "5", "0", True),
            ("stock", "GONE-1", HOME, "on_hand", "5", "0", True),
            ("webhook", None, None, "Product/Updated", "active", "missing", True),
        }
        assert (report["driftFound"], report["driftFixed"]) == (8, 8)
        assert report["itemsDeleted"] == 1
        assert report["status"] == "success"
        async with hub.uows.read() as session:
            levels = dict(
                (
                    await session.execute(select(StockLevel.sku, StockLevel.warehouse_available))
                ).all()
            )
            out = set(
                await session.scalars(
                    select(Alert.sku).where(
                        Alert.alert_type == "out_of_stock", Alert.resolved.is_(False)
                    )
                )
            )
            gone_active = await session.scalar(
                select(Product.active).where(Product.sku == "GONE-1")
            )
        assert levels == {SKU: 20, "DROP-1": 0, "GONE-1": 0}
        assert out == {"DROP-1", "GONE-1"}
        assert gone_active is False
        hooks = (await world.cin7.get("/webhooks")).json()["Webhooks"]
        assert {h["Type"] for h in hooks if h["IsActive"]} >= {"Product/Updated"}

        again = await _reconcile(world)
        assert (again["driftFound"], again["items"]) == (0, [])


async def test_reports_are_paged_latest_first_and_unknown_ones_are_404(settings: Settings) -> None:
    async with open_world(settings, connection_settings=FAST) as world:
        first = await _reconcile(world)
        second = await _reconcile(world)
        page = (
            await world.pos.get("/api/cin7/reconcile/reports", params={"limit": 1, "page": 2})
        ).json()
        assert [r["id"] for r in page["reports"]] == [first["id"]]
        assert page["total"] == 2
        assert second["id"] != first["id"]
        missing = await world.pos.get(
            "/api/cin7/reconcile/reports/00000000-0000-0000-0000-000000000000"
        )
        assert (missing.status_code, missing.json()["field"]) == (404, "id")
        bad = await world.pos.get("/api/cin7/reconcile/reports", params={"page": 0})
        assert bad.status_code == 422
        assert bad.json()["field"] == "query.page"


async def test_reconciliation_repairs_holds_that_disagree_with_their_records(
    settings: Settings,
) -> None:
    """What a lost update or a double release left behind, and a figure CIN7 never had."""
    stalled = FAST | {"retry_interval_seconds": 3600}
    async with open_world(settings, connection_settings=stalled) as world:
        world.state.faults.add_rule(
            FaultRule(method="POST", path="/sale", action="fail_before", status=500, times=None)
        )
        await world.sell("POS-1", quantity=3)  # pending 3; its push fails and waits an hour
        reserve = {"action": "RESERVE", "sku": SKU, "quantity": 2}
        assert (await world.pos.post("/api/cin7/sale-sync", json=reserve)).status_code == 200
        await world.hub.hub.create_worker().run_until_idle()
        async with world.hub.hub.uows.begin() as uow:
            await uow.session.execute(
                update(StockLevel)
                .where(StockLevel.sku == SKU)
                .values(pending=0, reserved=5, warehouse_available=26)
            )
            await uow.commit()

        report = await _reconcile(world)
        found = {(i["field"], i["hubValue"], i["cin7Value"], i["fixed"]) for i in report["items"]}
        assert found == {
            ("available", "26", "20", True),
            ("pending", "0", "3", True),
            ("reserved", "5", "2", True),
        }
        assert (report["driftFound"], report["driftFixed"]) == (3, 3)
        check = {"action": "CHECK_INVENTORY", "sku": SKU, "quantity": 1}
        figures = (await world.pos.post("/api/cin7/sale-sync", json=check)).json()
        assert (figures["warehouseAvailable"], figures["pending"], figures["reserved"]) == (
            20,
            3,
            2,
        )
        assert figures["currentStock"] == 15
        assert (await _reconcile(world))["driftFound"] == 0
