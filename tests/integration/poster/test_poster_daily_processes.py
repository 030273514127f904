"""Three real worker processes, each with its own scheduler ticking, at 03:00 in the
restaurant's time zone: each of Poster's entities gets exactly one daily sync, one listing."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from contextlib import AsyncExitStack
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from tests.support.poster_world import PosterWorld
from tests.support.processes import environment, tillsync_process
from tests.support.world import eventually
from tillsync.store.tables import Job, Run, Tenant, WorkerHeartbeat

pytestmark = pytest.mark.long(15)

ROOT = Path(__file__).resolve().parents[3]
WORKERS = 3
LISTINGS = (
    "/api/storage.getSuppliers",
    "/api/menu.getIngredients",
    "/api/storage.getStorages",
    "/api/menu.getCategoriesIngredients",
)


def _zone_at_three(now: dt.datetime) -> str:
    """A fixed-offset zone in which it is now between 03:00 and 04:00 (Etc/GMT signs are
    inverted: Etc/GMT-3 is three hours ahead of UTC)."""
    ahead = (3 - now.hour) % 24
    if ahead > 14:  # the zones reach UTC+14 and UTC-12
        ahead -= 24
    return f"Etc/GMT{-ahead:+d}" if ahead else "Etc/GMT"


async def test_three_workers_sync_each_entity_once_at_three_tenant_time(
    world: PosterWorld,
) -> None:
    assert (await world.connect_token()).status_code == 200
    zone = _zone_at_three(dt.datetime.now(dt.UTC))
    async with world.hub.uows.begin() as uow:
        await uow.session.execute(
            update(Tenant).where(Tenant.id == world.tenant_id).values(timezone=zone)
        )
        await uow.commit()
    mark = dt.datetime.now(dt.UTC)
    env = environment(
        world.hub.settings,
        TILLSYNC_SCHEDULER_SECONDS="0.1",
        TILLSYNC_HEARTBEAT_SECONDS="0.2",
        TILLSYNC_PROVIDER_URLS=json.dumps({"poster": world.emulator}),
        PYTHONPATH=f"{ROOT / 'src'}:{ROOT}",
    )
    async with AsyncExitStack() as stack:
        for _ in range(WORKERS):
            await stack.enter_async_context(tillsync_process("worker", env=env))

        async def synced() -> bool:
            async with world.hub.uows.read() as session:
                runs = list(await session.scalars(select(Run)))
            return len(runs) == 4 and all(run.status == "success" for run in runs)

        await eventually(synced, within=60)
        done = dt.datetime.now(dt.UTC)

        async def every_worker_looked_again() -> bool:  # each scheduler ticked after the syncs
            async with world.hub.uows.read() as session:
                beats = list(await session.scalars(select(WorkerHeartbeat)))
            later = [beat for beat in beats if beat.seen_at > done + dt.timedelta(seconds=1)]
            return len(later) >= WORKERS

        await eventually(every_worker_looked_again, within=30)

    async with world.hub.uows.read() as session:
        jobs = list(await session.scalars(select(Job).where(Job.kind == "poster.sync_records")))
        runs = list(await session.scalars(select(Run)))
    day = dt.datetime.now(dt.UTC).astimezone(ZoneInfo(zone)).date()
    assert sorted(job.subject or "" for job in jobs) == sorted(
        ["categories", "ingredients", "storages", "suppliers"]
    )
    assert all(job.idempotency_key.endswith(f":daily:{day.isoformat()}") for job in jobs)
    assert {(run.type, run.status) for run in runs} == {("automatic", "success")}
    listed = Counter(c.path for c in world.poster.calls_since(mark) if c.path in LISTINGS)
    assert listed == dict.fromkeys(LISTINGS, 1)
    assert len(await world.stored("ingredients")) == 3
