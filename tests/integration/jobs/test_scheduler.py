"""The scheduler: interval and daily syncs, retention, each once per slot across workers."""

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select, update

from tillsync.bootstrap import Hub, open_hub, schedule_duties
from tillsync.clock import FakeClock
from tillsync.config import Settings
from tillsync.connectors.contract import Account, Connector, Link, Provider
from tillsync.connectors.settings import ConnectionSettings
from tillsync.jobs.scheduler import Scheduler
from tillsync.services.tenants import create_tenant
from tillsync.store.tables import Connection, Job, Tenant

START = dt.datetime(2026, 11, 21, 7, 50, tzinfo=dt.UTC)  # 02:50 in New York


@pytest.fixture
async def clocked(settings: Settings) -> AsyncIterator[tuple[Hub, FakeClock]]:
    clock = FakeClock(START)
    async with open_hub(settings, clock=clock) as hub:
        tenant = await create_tenant(hub.uows, name="Fade Factory")
        async with hub.uows.begin() as uow:
            await uow.session.execute(
                update(Tenant)
                .where(Tenant.id == tenant.tenant_id)
                .values(timezone="America/New_York")
            )
            uow.session.add(
                Connection(
                    tenant_id=tenant.tenant_id,
                    provider="cin7",
                    role="warehouse",
                    base_url="http://cin7.test",
                    credentials=hub.services.vault.seal_json({}),
                    settings={"sync_interval_minutes": 15},
                    created_at=uow.now,
                    updated_at=uow.now,
                )
            )
            await uow.commit()
        yield hub, clock


async def _finish_syncs(hub: Hub) -> None:
    """The queued pulls ran: a connection gets its next one only after."""
    async with hub.uows.begin() as uow:
        await uow.session.execute(update(Job).values(state="success"))
        await uow.commit()


async def _keys(hub: Hub, kind: str) -> list[str]:
    async with hub.uows.read() as session:
        keys = await session.scalars(select(Job.idempotency_key).where(Job.kind == kind))
        return sorted(key.split(":", 1)[-1] for key in keys)


async def test_an_interval_sync_is_scheduled_once_per_slot(clocked: tuple[Hub, FakeClock]) -> None:
    hub, clock = clocked
    clock.set(dt.datetime(2026, 11, 21, 17, 0, tzinfo=dt.UTC))  # noon in New York
    scheduler = hub.create_scheduler()
    await scheduler.tick()
    await scheduler.tick()
    assert len(await _interval_keys(hub)) == 1
    clock.advance(15 * 60)
    await scheduler.tick()
    assert len(await _interval_keys(hub)) == 1  # the first has not run yet: no second pull
    await _finish_syncs(hub)
    await scheduler.tick()
    assert len(await _interval_keys(hub)) == 2


async def _interval_keys(hub: Hub) -> list[str]:
    return [k for k in await _keys(hub, "cin7.sync_catalog") if k.startswith("interval")]


async def test_several_workers_ticking_at_once_schedule_once(
    clocked: tuple[Hub, FakeClock],
) -> None:
    hub, _ = clocked
    await asyncio.gather(*(hub.create_scheduler().tick() for _ in range(5)))
    assert len(await _keys(hub, "cin7.sync_catalog")) == 1
    assert len(await _keys(hub, "maintenance.retention")) == 1


async def test_the_daily_sync_runs_at_three_in_the_tenants_time_zone(
    clocked: tuple[Hub, FakeClock],
) -> None:
    hub, clock = clocked
    scheduler = hub.create_scheduler()
    await scheduler.tick()  # 02:50 local: no daily run yet
    assert not [k for k in await _keys(hub, "cin7.sync_catalog") if k.startswith("daily")]
    await _finish_syncs(hub)
    clock.advance(11 * 60)  # 03:01 local
    await scheduler.tick()
    await scheduler.tick()
    daily = [k for k in await _keys(hub, "cin7.sync_catalog") if k.startswith("daily")]
    assert daily == ["daily:2026-11-21"]


async def test_a_recent_sync_postpones_the_interval_one(clocked: tuple[Hub, FakeClock]) -> None:
    hub, clock = clocked
    async with hub.uows.begin() as uow:
        await uow.session.execute(update(Connection).values(last_sync_at=clock.now()))
        await uow.commit()
    await hub.create_scheduler().tick()
    assert await _keys(hub, "cin7.sync_catalog") == []


async def test_each_slot_starts_its_sync_however_late_the_last_one_ended(
    clocked: tuple[Hub, FakeClock],
) -> None:
    """Pulls start an interval apart, so a change waits at most an interval (plus the pull):
    a pull that ended late in the last slot does not push this slot's one back."""
    hub, clock = clocked
    clock.set(dt.datetime(2026, 11, 21, 17, 0, 10, tzinfo=dt.UTC))  # a slot began 10 s ago
    async with hub.uows.begin() as uow:
        ended = clock.now() - dt.timedelta(minutes=1)
        await uow.session.execute(update(Connection).values(last_sync_at=ended))
        await uow.commit()
    await hub.create_scheduler().tick()
    assert len(await _interval_keys(hub)) == 1


async def test_auto_sync_off_schedules_nothing(clocked: tuple[Hub, FakeClock]) -> None:
    hub, _ = clocked
    async with hub.uows.begin() as uow:
        await uow.session.execute(update(Connection).values(settings={"auto_sync": False}))
        await uow.commit()
    await hub.create_scheduler().tick()
    assert await _keys(hub, "cin7.sync_catalog") == []


def _unreachable(link: Link) -> Connector:
    async def check() -> Account:
        raise AssertionError("scheduling calls no provider")

    return Connector(check=check)


DEPOT = Provider(
    name="depot",
    title="Depot",
    roles=frozenset({"warehouse"}),
    credentials=(),
    settings=ConnectionSettings,
    open=_unreachable,
)


async def test_every_warehouse_connection_gets_its_own_pulls_and_a_crm_none(
    clocked: tuple[Hub, FakeClock],
) -> None:
    hub, clock = clocked
    clock.set(dt.datetime(2026, 11, 21, 17, 0, tzinfo=dt.UTC))
    async with hub.uows.begin() as uow:
        tenant_id = await uow.session.scalar(select(Connection.tenant_id))
        assert tenant_id is not None
        for provider, role in (("depot", "warehouse"), ("crm", "crm")):
            uow.session.add(
                Connection(
                    tenant_id=tenant_id,
                    provider=provider,
                    role=role,
                    base_url=f"http://{provider}.test",
                    credentials=hub.services.vault.seal_json({}),
                    settings={},
                    created_at=uow.now,
                    updated_at=uow.now,
                )
            )
        await uow.commit()
    providers = hub.services.providers.adding(DEPOT)
    await Scheduler(hub.uows, schedule_duties(providers)).tick()
    async with hub.uows.read() as session:
        pulls = await session.execute(
            select(Job.kind, Connection.provider)
            .join(Connection, Connection.id == Job.connection_id)
            .where(Job.kind.like("%.sync_catalog"))
        )
        assert sorted((kind, provider) for kind, provider in pulls) == [
            ("cin7.sync_catalog", "cin7"),
            ("depot.sync_catalog", "depot"),
        ]
