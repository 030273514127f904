"""Pulls are recorded as runs, step aside for the rate budget, and resume where they were."""

import asyncio
import logging
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from tests.support.world import World, eventually, open_world
from tillsync.config import Settings
from tillsync.services.connections.lifecycle import enqueue_first_sync
from tillsync.store.tables import (
    Alert,
    AuditEntry,
    Connection,
    Job,
    Product,
    Run,
    StockLevel,
)


async def test_a_long_pull_under_a_tight_budget_resumes_and_records_one_run(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    async with open_world(settings) as world:
        (account,) = world.state.accounts
        world.state.generate_products(account, count=2500, prefix="GEN")
        hub = world.hub.hub
        async with hub.uows.begin() as uow:
            connection = await uow.session.scalar(select(Connection))
            assert connection is not None
            tight = {**connection.settings, "rate_limit": {"calls": 3, "window_seconds": 1}}
            await uow.session.execute(update(Connection).values(settings=tight))
            connection.settings = tight
            await enqueue_first_sync(uow, connection)
            await uow.commit()
        caplog.set_level(logging.INFO, logger="tillsync")
        stop = asyncio.Event()
        worker = hub.create_worker()
        running = asyncio.create_task(worker.run(stop))

        async def pulled() -> bool:
            async with hub.uows.read() as session:
                states = set(
                    await session.scalars(select(Job.state).where(Job.kind == "cin7.sync_catalog"))
                )
            return states == {"success"}

        try:
            await eventually(pulled, within=60)
        finally:
            stop.set()
            await running
        async with hub.uows.read() as session:
            runs = (await session.scalars(select(Run).where(Run.entity == "catalog"))).all()
            products = await session.scalar(select(func.count()).select_from(Product))
    assert products == 2501
    latest = max(runs, key=lambda r: r.started_at)
    assert latest.status == "success"
    assert latest.pages == 6  # 3 pages of products, 3 of availability, at 1,000 a page
    assert latest.items_synced >= 2501
    assert len(runs) == 2  # the first sync at connect, and this one: not one per attempt
    assert "CIN7 Sync Started" in caplog.text
    assert "CIN7 Sync Completed" in caplog.text


async def test_a_webhook_is_recorded_as_a_webhook_run(settings: Settings) -> None:
    async with open_world(settings) as world:
        await world.cin7.post(
            "/stockadjustment",
            json={
                "EffectiveDate": "2026-11-21T10:00:00",
                "Status": "COMPLETED",
                "Lines": [
                    {
                        "SKU": "TOMB45SHAVECBLCK",
                        "Quantity": 3,
                        "UnitCost": 5,
                        "Location": "Main Warehouse",
                    }
                ],
            },
        )
        hub = world.hub.hub

        async def recorded() -> list[Run]:
            await hub.create_worker().run_until_idle()
            async with hub.uows.read() as session:
                return list(await session.scalars(select(Run).where(Run.type == "webhook")))

        runs = await eventually(recorded, within=10)
    assert runs[0].entity == "stock"
    assert runs[0].status == "success"
    assert runs[0].items_synced == 1


async def _pull(world: World) -> None:
    hub = world.hub.hub
    async with hub.uows.begin() as uow:
        connection = await uow.session.scalar(select(Connection))
        assert connection is not None
        await enqueue_first_sync(uow, connection)
        await uow.commit()
    await hub.create_worker().run_until_idle()


async def test_a_second_pull_writes_only_what_changed_at_cin7(settings: Settings) -> None:
    async with open_world(settings, webhooks=False) as world:
        (account,) = world.state.accounts
        world.state.generate_products(account, count=1200, prefix="GEN")  # two pages each
        await _pull(world)
        hub = world.hub.hub
        async with hub.uows.read() as session:
            first = await session.scalar(select(func.count()).select_from(AuditEntry))
            rows = await session.scalar(select(func.count()).select_from(StockLevel))
            out = await session.scalar(
                select(func.count()).where(Alert.resolved.is_(False), Alert.sku.like("GEN-%"))
            )
        assert rows == 1201
        assert out == 120  # every tenth generated product has no stock: its row is omitted
        adjustment = {
            "EffectiveDate": "2026-11-21T10:00:00",
            "Status": "COMPLETED",
            "Lines": [
                {"SKU": "GEN-000007", "Quantity": 40, "UnitCost": 5, "Location": "Main Warehouse"}
            ],
        }
        assert (await world.cin7.post("/stockadjustment", json=adjustment)).status_code == 200
        await _pull(world)
        async with hub.uows.read() as session:
            entries = (
                await session.scalars(select(AuditEntry).order_by(AuditEntry.created_at))
            ).all()
            as_of = set(await session.scalars(select(StockLevel.as_of)))
            changed = await session.scalar(select(StockLevel).where(StockLevel.sku == "GEN-000007"))
    assert [(e.sku, e.delta) for e in entries[first:]] == [("GEN-000007", Decimal(40 - 7))]
    assert changed is not None
    assert changed.warehouse_available == 40
    assert len(as_of) == 1  # every row is confirmed as of the second pull
