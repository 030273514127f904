"""Reconciling with Depot: a figure the hub holds wrongly is reported as drift and repaired."""

from decimal import Decimal

from sqlalchemy import select, update

from tests.support.depot_world import DepotWorld
from tillsync.store.tables import StockLevel


async def test_reconciliation_reports_and_repairs_a_drift_from_depots_figure(
    world: DepotWorld,
) -> None:
    world.seed({"D-1": 5, "D-2": 6})
    await world.connect()
    await world.work()
    clean = await world.finished(await world.pull("reconcile"))
    assert (clean["status"], clean["driftFound"]) == ("success", 0)  # just synced: none
    async with world.hub.uows.begin() as uow:  # a lost delivery: the hub holds a stale figure
        await uow.session.execute(
            update(StockLevel)
            .where(StockLevel.sku == "D-1")
            .values(warehouse_available=99, warehouse_on_hand=99)
        )
        await uow.commit()

    run = await world.finished(await world.pull("reconcile"))
    listed = (await world.api.get("/api/connections/depot/reports")).json()
    report = (await world.api.get(f"/api/connections/depot/reports/{run['runId']}")).json()
    async with world.hub.uows.read() as session:
        level = await session.scalar(select(StockLevel).where(StockLevel.sku == "D-1"))
    found = {
        (
            i["kind"],
            i["sku"],
            i["location"],
            i["field"],
            i["hubValue"],
            i["providerValue"],
            i["fixed"],
        )
        for i in report["items"]
    }
    assert found == {
        ("stock", "D-1", "Main", "available", "99", "5", True),
        ("stock", "D-1", "Main", "on_hand", "99", "5", True),
    }
    assert (run["status"], run["mode"], run["driftFound"], run["driftFixed"]) == (
        "success",
        "reconcile",
        2,
        2,
    )
    assert (report["driftFound"], report["driftFixed"]) == (2, 2)
    assert [r["id"] for r in listed["reports"]] == [run["runId"], clean["runId"]]
    others = await world.api.get("/api/connections/cin7/reports")
    assert (others.status_code, others.json()["total"]) == (200, 0)  # each provider its own
    elsewhere = await world.api.get(f"/api/connections/cin7/reports/{run['runId']}")
    assert elsewhere.status_code == 404
    assert level is not None
    assert level.warehouse_available == Decimal(5)
