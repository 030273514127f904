"""Retention: finished work older than `retention_days` goes; deliveries a provider could
still send again stay, so a late repeat is still known as one."""

import datetime as dt

from sqlalchemy import select

from tillsync.bootstrap import open_hub
from tillsync.clock import FakeClock
from tillsync.config import Settings
from tillsync.jobs.store import NewJob, enqueue
from tillsync.services.tenants import create_tenant
from tillsync.store.tables import Connection, InboxEntry, Job

NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)


async def test_old_work_goes_and_deliveries_square_may_repeat_stay(settings: Settings) -> None:
    settings.retention_days = 1
    clock = FakeClock(NOW)
    async with open_hub(settings, clock=clock) as hub:
        tenant = await create_tenant(hub.uows, name="Fade Factory")
        async with hub.uows.begin() as uow:
            connection = Connection(
                tenant_id=tenant.tenant_id,
                provider="square",
                role="pos",
                base_url="http://square.test",
                credentials=hub.services.vault.seal_json({}),
                created_at=uow.now,
                updated_at=uow.now,
            )
            uow.session.add(connection)
            await uow.session.flush()
            for days in (2, 4):  # Square retries for 72 hours
                uow.session.add(
                    InboxEntry(
                        tenant_id=tenant.tenant_id,
                        connection_id=connection.id,
                        provider="square",
                        event_type="order.updated",
                        dedupe_key=f"event-{days}",
                        payload={},
                        verdict="verified",
                        status="processed",
                        received_at=NOW - dt.timedelta(days=days),
                    )
                )
            await uow.commit()
        async with hub.uows.begin() as uow:
            await enqueue(
                uow.session,
                NewJob(kind="test.done", payload={}, idempotency_key="done"),
                now=uow.now,
            )
            await uow.commit()
        async with hub.uows.begin() as uow:
            await uow.session.execute(
                Job.__table__.update()
                .where(Job.kind == "test.done")
                .values(state="success", completed_at=NOW - dt.timedelta(days=2))
            )
            await uow.commit()

        await hub.create_scheduler().tick()
        await hub.create_worker().run_until_idle()

        async with hub.uows.read() as session:
            kept = list(await session.scalars(select(InboxEntry.dedupe_key)))
            finished = list(await session.scalars(select(Job.kind).where(Job.kind == "test.done")))
            retention = await session.scalar(
                select(Job.state).where(Job.kind == "maintenance.retention")
            )
    assert retention == "success"
    assert kept == ["event-2"]
    assert finished == []
