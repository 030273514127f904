"""Reconciling with Depot: a figure the hub holds wrongly is reported as drift and repaired."""

from decimal import Decimal

from sqlalchemy import select, update

from tests.support.depot_world import DepotWorld
from tillsync.services.sync import drift
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
    async with world.hub.uows.read() as session:
        report, items = await drift.one_report(
            session, tenant_id=world.tenant_id, report_id=run["runId"], page=1, limit=50
        )
        level = await session.scalar(select(StockLevel).where(StockLevel.sku == "D-1"))
    found = {
        (i.kind, i.sku, i.location, i.field, i.hub_value, i.provider_value, i.fixed) for i in items
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
    assert report.drift_found == 2
    assert level is not None
    assert level.warehouse_available == Decimal(5)
