"""An entity's records synced: listed whole from the provider and upserted, as a run in history;
and one object a webhook named, read afresh and upserted (or marked removed).

A sync is a job (`<provider>.sync_records`, its `subject` the entity) with its run queued
beside it in the caller's transaction; a second request for an entity already queued or
running is refused with that run (`RecordSyncInProgress`), so manual syncs cannot pile up.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.connectors.budget import lane_for
from tillsync.connectors.contract import Provider
from tillsync.connectors.records import RecordSource
from tillsync.domain.records import RecordChange, RecordCounts
from tillsync.errors import BudgetExhausted, ClientError, NotFound
from tillsync.jobs.worker import InvalidPayload, JobContext
from tillsync.services.connections.links import (
    DISCONNECTED,
    connector_for,
    find_connection,
    load_connection,
    provider_of,
)
from tillsync.services.context import Services
from tillsync.services.records import mark_removed, upsert_records
from tillsync.services.runs import RunTally, finish_run, start_run
from tillsync.services.sync_turns import SyncInProgress, SyncTurn, queue_turn
from tillsync.store.tables import Connection, Job, Run
from tillsync.store.uow import UnitOfWork

VERB = "sync_records"
PRIORITY = 150


class UnknownEntity(ClientError):
    code = "unknown_entity"

    def __init__(self, provider: Provider, entity: str, *, field: str = "entity") -> None:
        known = ", ".join(provider.record_entities) or "none"
        super().__init__(
            f"{provider.title} keeps no records of '{entity}' (known: {known})", field=field
        )


class RecordSyncInProgress(SyncInProgress):
    def __init__(self, entity: str, *, run_id: str | None, job_id: str) -> None:
        message = f"a sync of {entity} is already queued or running"
        super().__init__(message, field="entity", run_id=run_id, job_id=job_id)
        self.entity = entity


@dataclass(frozen=True, slots=True)
class QueuedSync:
    entity: str
    run_id: str
    job_id: str


def sync_kind(provider: str) -> str:
    return f"{provider}.{VERB}"


def check_entity(provider: Provider, entity: str, *, field: str = "entity") -> str:
    if entity not in provider.record_entities:
        raise UnknownEntity(provider, entity, field=field)
    return entity


async def record_connection(
    session: AsyncSession, services: Services, tenant_id: str, provider: str
) -> Connection:
    """The tenant's connected connection to `provider`, or NotFound naming `provider`."""
    declared = services.providers.get(provider)
    connection = await find_connection(session, tenant_id, declared.name)
    if connection is None or connection.status == DISCONNECTED:
        raise NotFound(f"{declared.title} is not connected for this tenant", field="provider")
    return connection


async def request_record_sync(
    services: Services, *, tenant_id: str, provider: str, entity: str, run_type: str = "manual"
) -> QueuedSync:
    """Queue a sync of one entity for the tenant's connection (its own transaction)."""
    check_entity(services.providers.get(provider), entity)
    async with services.uows.begin() as uow:
        connection = await record_connection(uow.session, services, tenant_id, provider)
        queued = await queue_record_sync(uow, connection, entity, run_type=run_type)
        await uow.commit()
    return queued


async def queue_record_sync(
    uow: UnitOfWork, connection: Connection, entity: str, *, run_type: str
) -> QueuedSync:
    """Inside the caller's transaction: the job and its queued run, or `RecordSyncInProgress`."""
    sync = SyncTurn(
        kind=sync_kind(connection.provider),
        mine=(Job.connection_id == connection.id, Job.subject == entity),
        turn=f"records:{entity}",
        subject=entity,
        priority=PRIORITY,
        payload={"entity": entity},
        entity=entity,
        details={"records": entity},
    )

    def refuse(job: Job) -> RecordSyncInProgress:
        return RecordSyncInProgress(entity, run_id=_run_of(job), job_id=job.id)

    run_id, job_id = await queue_turn(uow, connection, sync, run_type=run_type, refuse=refuse)
    return QueuedSync(entity=entity, run_id=run_id, job_id=job_id)


async def last_record_syncs(
    session: AsyncSession, connection: Connection, provider: Provider
) -> dict[str, dt.datetime]:
    """When each entity's latest successful sync (a whole listing) of the connection began;
    an entity never synced is absent."""
    rows = await session.execute(
        select(Run.entity, func.max(Run.started_at))
        .where(
            Run.connection_id == connection.id,
            Run.direction == "pull",
            Run.status == "success",
            Run.type != "webhook",
            Run.entity.in_(provider.record_entities),
        )
        .group_by(Run.entity)
    )
    return {str(entity): started for entity, started in rows}


async def sync_records(services: Services, ctx: JobContext) -> None:
    """The job: list the entity whole, upsert it in one transaction, finish the run."""
    async with services.uows.read() as session:
        connection = await load_connection(session, ctx.job.connection_id)
    provider = provider_of(services, connection)
    entity = check_entity(provider, str(ctx.field("entity")))
    run = await _running(services, ctx, connection, provider, entity)
    tally = RunTally(details={"records": entity})
    try:
        source = _source(services, connection, lane=lane_for(ctx.job.priority))
        read_at = services.uows.clock.now()
        listing = await source.listing(entity)
        async with services.uows.begin() as uow:
            counts = await upsert_records(
                uow, connection, entity, listing.rows, complete=True, read_at=read_at
            )
            await uow.commit()
    except BudgetExhausted:
        raise  # not a failure: the job steps aside and runs again when a call is free
    except Exception as exc:
        await finish_run(services.uows, run.id, tally, label=provider.title, error=str(exc)[:500])
        raise
    tally.pages = listing.calls
    tally.items_synced, tally.items_deleted = counts.created + counts.updated, counts.removed
    tally.details.update(_counted(counts), **dict(listing.notes))
    await finish_run(services.uows, run.id, tally, label=provider.title)


async def apply_record_change(
    services: Services, connection: Connection, change: RecordChange, *, lane: str
) -> RecordCounts:
    """One object a webhook named: read afresh and upserted, or marked removed."""
    check_entity(provider_of(services, connection), change.entity)
    found = None
    read_at = services.uows.clock.now()
    if not change.removed:
        found = await _source(services, connection, lane=lane).one(
            change.entity, change.external_id
        )
    async with services.uows.begin() as uow:
        if found is None:  # removed, or no longer there when asked
            counts = await mark_removed(
                uow, connection, change.entity, change.external_id, read_at=read_at
            )
        else:
            counts = await upsert_records(
                uow, connection, change.entity, [found], complete=False, read_at=read_at
            )
        await uow.commit()
    return counts


async def _running(
    services: Services, ctx: JobContext, connection: Connection, provider: Provider, entity: str
) -> Run:
    """The run queued with the request, or, for a scheduled sync, one begun now (kept in the
    checkpoint, so a retry finishes the same run)."""
    run_id = (ctx.job.payload or {}).get("run_id") or ctx.checkpoint.get("run_id")
    if run_id is None:
        run_type = str((ctx.job.payload or {}).get("type", "automatic"))
        run_id = await start_run(
            services.uows,
            connection=connection,
            label=provider.title,
            run_type=run_type,
            direction="pull",
            entity=entity,
            job_id=ctx.job.id,
        )
        await ctx.save(run_id=run_id)
    async with services.uows.begin() as uow:
        run = await uow.session.get(Run, run_id)
        if run is None:
            raise InvalidPayload(f"run {run_id} does not exist")
        run.status, run.details = "running", {"records": entity}
        await uow.commit()
    return run


def _source(services: Services, connection: Connection, *, lane: str) -> RecordSource:
    source = connector_for(services, connection, lane=lane).records
    if source is None:
        raise InvalidPayload(f"{connection.provider} keeps no records")
    return source


def _counted(counts: RecordCounts) -> dict[str, int]:
    return {
        "created": counts.created,
        "updated": counts.updated,
        "unchanged": counts.unchanged,
        "removed": counts.removed,
    }


def _run_of(job: Job) -> str | None:
    run_id = (job.payload or {}).get("run_id")
    return str(run_id) if run_id else None
