"""The daily sync of records: every entity of every connection whose provider keeps records,
once a day at 03:00 in the tenant's time zone, whatever the number of workers.

Each entity's daily job is keyed `<connection>:records:<entity>:daily:<local date>`: the job
store's unique (kind, key) lets one worker's scheduler add it and every other's add nothing,
and a second look the same day finds it. An entity whose sync is queued or running (a manual
one) gets its daily sync at a tick after that one ends, within the window. The same jobs are
what the daily trigger (a seed's cron path) queues, so the trigger and the scheduler together
still sync an entity once a day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.jobs.scheduler import Duty
from tillsync.jobs.store import NewJob, enqueue
from tillsync.providers import Providers
from tillsync.services.context import Services
from tillsync.services.record_sync import PRIORITY, record_connection, sync_kind
from tillsync.services.sync.schedule import daily_window, tenant_zone
from tillsync.services.sync_turns import BUSY_STATES
from tillsync.store.tables import Connection, Job, Tenant, new_id


@dataclass(frozen=True, slots=True)
class DailySync:
    """One entity at the daily trigger: `queued` now, `running` (a sync queued or running
    stands in), or `done` (its daily sync of `day` exists already)."""

    entity: str
    status: str
    job_id: str | None
    day: dt.date


def due_record_syncs(providers: Providers) -> Duty:
    """The duty that queues the daily record syncs due now."""
    kept = {provider.name: provider.record_entities for provider in providers}
    kept = {name: entities for name, entities in kept.items() if entities}

    async def due(session: AsyncSession, now: dt.datetime) -> Sequence[NewJob]:
        if not kept:
            return []
        rows = await session.execute(
            select(Connection, Tenant.timezone)
            .join(Tenant, Tenant.id == Connection.tenant_id)
            .where(
                Connection.provider.in_(list(kept)),
                Connection.status == "active",
                Connection.credentials != "",  # disconnected: nothing to sync with
            )
        )
        jobs: list[NewJob] = []
        for connection, timezone in rows:
            day = daily_window(now, timezone)
            if day is None:
                continue
            busy = await _busy(session, connection)
            for entity in kept[connection.provider]:
                job = daily_job(connection, entity, day)
                if entity not in busy and not await _exists(session, job):
                    jobs.append(job)
        return jobs

    return due


async def queue_daily(services: Services, *, tenant_id: str, provider: str) -> list[DailySync]:
    """The daily trigger: today's (tenant time) daily sync of every entity, unless it exists."""
    declared = services.providers.get(provider)
    found: list[DailySync] = []
    async with services.uows.begin() as uow:
        connection = await record_connection(uow.session, services, tenant_id, provider)
        tenant = await uow.session.get(Tenant, tenant_id)
        zone = tenant_zone(tenant.timezone if tenant is not None else "UTC")
        day = uow.now.astimezone(zone).date()
        busy = await _busy(uow.session, connection)
        for entity in declared.record_entities:
            job = daily_job(connection, entity, day)
            if entity in busy:
                found.append(DailySync(entity, "running", busy[entity], day))
            elif await enqueue(uow.session, job, now=uow.now):
                found.append(DailySync(entity, "queued", job.job_id, day))
            else:
                found.append(DailySync(entity, "done", None, day))
        await uow.commit()
    return found


def daily_job(connection: Connection, entity: str, day: dt.date) -> NewJob:
    return NewJob(
        kind=sync_kind(connection.provider),
        payload={"entity": entity, "type": "automatic", "reason": "daily"},
        idempotency_key=f"{connection.id}:records:{entity}:daily:{day.isoformat()}",
        tenant_id=connection.tenant_id,
        connection_id=connection.id,
        subject=entity,
        priority=PRIORITY,
        job_id=new_id(),
    )


async def _busy(session: AsyncSession, connection: Connection) -> dict[str, str]:
    """The connection's entities with a sync queued or running, and that job's id."""
    rows = await session.execute(
        select(Job.subject, Job.id).where(
            Job.kind == sync_kind(connection.provider),
            Job.connection_id == connection.id,
            Job.state.in_(BUSY_STATES),
        )
    )
    return {str(subject): str(job_id) for subject, job_id in rows}


async def _exists(session: AsyncSession, job: NewJob) -> bool:
    found = await session.scalar(
        select(Job.id).where(Job.kind == job.kind, Job.idempotency_key == job.idempotency_key)
    )
    return found is not None
