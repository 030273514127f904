"""Each warehouse connection's syncs, as seed 002's panel shows them: per entity, when it was
last synced, how old that is and whether it needs a sync; the pulls running now with their
progress; the recent pulls with their outcome; the latest drift reports.

An entity is what a run brought (`Run.entity`): the catalog and the reconciliation that
pulls read, and what webhooks delivered one at a time (stock, products, sales). A pulled
entity needs a sync once its last one is older than the connection's sync interval (the
catalog) or a day (the reconciliation, the daily safety sync); what webhooks deliver is
never polled, so it never needs one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.connectors.settings import ConnectionSettings
from tillsync.services.connections.links import find_connection, settings_of
from tillsync.services.connections.roles import plays
from tillsync.services.context import Services
from tillsync.services.runs import RunCounts, run_counts
from tillsync.services.sync import drift
from tillsync.services.sync.progress import PullView, progress_view
from tillsync.services.sync.pulls import ENTITIES, warehouses
from tillsync.services.sync_turns import BUSY_STATES
from tillsync.store.tables import Connection, Job, Run

PULLED = tuple(dict.fromkeys(ENTITIES.values()))
"""The entities a pull reads, in the order the panel shows them."""
SETTLED = ("success", "partial")
"""A run that ended so: its entity counts as synced (a connection's `last_sync_at` too)."""
UNFINISHED = ("queued", "running")
DAILY = dt.timedelta(days=1)
RECENT = 10
LATEST_REPORTS = 5


@dataclass(frozen=True, slots=True)
class EntityStatus:
    entity: str
    last_sync_at: dt.datetime | None
    """When its latest successful (or partial) run ended."""
    last_status: str | None
    """Its latest run's status: how it ended, or that it is queued or running."""
    age_minutes: int | None
    stale_after: dt.timedelta | None
    """Older than this, it needs a sync; None for an entity only webhooks deliver."""

    @property
    def needs_sync(self) -> bool:
        if self.stale_after is None:
            return False
        return self.age_minutes is None or self.age_minutes * 60 >= self.stale_after.total_seconds()


@dataclass(frozen=True, slots=True)
class RunLine:
    """A finished (or abandoned) run, with the counts every mode reports."""

    id: str
    type: str
    entity: str
    mode: str | None
    status: str
    counts: RunCounts
    started_at: dt.datetime
    completed_at: dt.datetime | None
    duration_ms: int | None
    error: str | None


@dataclass(frozen=True, slots=True)
class Running:
    """A pull under way: its run as the API shows it, and the records read so far."""

    pull: PullView
    products: int
    stock_rows: int


@dataclass(frozen=True, slots=True)
class ConnectionSyncs:
    provider: str
    status: str
    account_name: str | None
    last_sync_at: dt.datetime | None
    entities: tuple[EntityStatus, ...]
    running: tuple[Running, ...]
    recent: tuple[RunLine, ...]
    reports: tuple[drift.Report, ...]
    report_total: int


async def tenant_syncs(
    services: Services, tenant_id: str, *, now: dt.datetime
) -> list[ConnectionSyncs]:
    """The syncs of every warehouse the tenant is connected to, in the registry's order."""
    found = [
        await connection_syncs(services, tenant_id=tenant_id, provider=name, now=now)
        for name in warehouses(services.providers)
    ]
    return [syncs for syncs in found if syncs is not None]


async def connection_syncs(
    services: Services, *, tenant_id: str, provider: str, now: dt.datetime
) -> ConnectionSyncs | None:
    """None when the tenant is not connected to `provider` (never, or no longer)."""
    declared = services.providers.get(provider)
    async with services.uows.read() as session:
        connection = await find_connection(session, tenant_id, declared.name)
        if connection is None or not connection.credentials or not plays(connection, "warehouse"):
            return None
        running = await _running(session, connection.id)
        shown = {entry.pull.run_id for entry in running}
        recent = await session.scalars(
            select(Run)
            .where(Run.connection_id == connection.id, Run.entity.in_(PULLED))
            .order_by(Run.started_at.desc(), Run.id.desc())
            .limit(RECENT + len(shown))
        )
        lines = tuple(_line(run) for run in recent if run.id not in shown)[:RECENT]
        interval = _interval(services, connection)
        entities = await _entities(session, connection, now=now, interval=interval)
        reports, total = await drift.list_reports(
            session, tenant_id=tenant_id, page=1, limit=LATEST_REPORTS, provider=declared.name
        )
    return ConnectionSyncs(
        provider=declared.name,
        status=connection.status,
        account_name=connection.account_name,
        last_sync_at=connection.last_sync_at,
        entities=entities,
        running=running,
        recent=lines,
        reports=tuple(reports),
        report_total=total,
    )


def _interval(services: Services, connection: Connection) -> dt.timedelta:
    settings = settings_of(services.providers.get(connection.provider), connection.settings)
    if not isinstance(settings, ConnectionSettings):
        settings = ConnectionSettings()
    return dt.timedelta(minutes=settings.sync_interval_minutes)


async def _running(session: AsyncSession, connection_id: str) -> tuple[Running, ...]:
    """Runs not finished whose job is still queued or under way; a run whose job ended
    without finishing it is no longer running (it shows among the recent ones)."""
    rows = await session.execute(
        select(Run, Job)
        .join(Job, Job.id == Run.job_id)
        .where(
            Run.connection_id == connection_id,
            Run.status.in_(UNFINISHED),
            Job.state.in_(BUSY_STATES),
        )
        .order_by(Run.started_at, Run.id)
    )
    found = []
    for run, job in rows:
        point = job.checkpoint or {}
        found.append(
            Running(
                pull=progress_view(run, job),
                products=int(point.get("products", 0)),
                stock_rows=int(point.get("rows", 0)),
            )
        )
    return tuple(found)


async def _entities(
    session: AsyncSession, connection: Connection, *, now: dt.datetime, interval: dt.timedelta
) -> tuple[EntityStatus, ...]:
    ours = Run.connection_id == connection.id
    synced: dict[str, dt.datetime | None] = dict(
        (
            await session.execute(
                select(Run.entity, func.max(Run.completed_at))
                .where(ours, Run.status.in_(SETTLED))
                .group_by(Run.entity)
            )
        ).all()
    )
    latest = (
        select(Run.entity, func.max(Run.started_at).label("started"))
        .where(ours)
        .group_by(Run.entity)
        .subquery()
    )
    statuses: dict[str, str] = dict(
        (
            await session.execute(
                select(Run.entity, Run.status)
                .join(
                    latest, and_(Run.entity == latest.c.entity, Run.started_at == latest.c.started)
                )
                .where(ours)
            )
        ).all()
    )
    windows = {ENTITIES["full"]: interval, ENTITIES["reconcile"]: DAILY}
    names = [*PULLED, *sorted(set(statuses) - set(PULLED))]
    return tuple(
        EntityStatus(
            entity=name,
            last_sync_at=synced.get(name),
            last_status=statuses.get(name),
            age_minutes=_minutes(now, synced.get(name)),
            stale_after=windows.get(name),
        )
        for name in names
    )


def _minutes(now: dt.datetime, then: dt.datetime | None) -> int | None:
    return None if then is None else max(0, int((now - then).total_seconds() // 60))


def _line(run: Run) -> RunLine:
    mode = (run.details or {}).get("mode")
    return RunLine(
        id=run.id,
        type=run.type,
        entity=run.entity,
        mode=mode if isinstance(mode, str) else None,
        status=run.status,
        counts=run_counts(run),
        started_at=run.started_at,
        completed_at=run.completed_at,
        duration_ms=run.duration_ms,
        error=run.error,
    )
