"""Asking for a CIN7 pull (full, quick or reconciliation) and following it.

A pull is one `cin7.sync_catalog` job whose `subject` names its mode. A request queues the
job and its run together, so the caller has a run id to follow at once; while a pull of
the same mode is queued or running for the tenant, another request is refused with that
run's id. Two requests racing each other both key their job on the latest pull of that
mode (`<connection>:<mode>:after:<job>`): the job store's unique key lets one win.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.connectors.cin7.provider import NAME as PROVIDER
from tillsync.errors import Conflict, NotFound
from tillsync.jobs.store import NewJob, enqueue
from tillsync.services.context import Services
from tillsync.store.tables import Connection, Job, Run, new_id
from tillsync.store.uow import UnitOfWork

SYNC_KIND = "cin7.sync_catalog"
MODES = ("full", "quick", "reconcile")
BUSY_STATES = ("pending", "retry", "syncing")
PRIORITIES = {"full": 200, "quick": 140, "reconcile": 210}
"""A quick pull is a few calls: the normal lane. Full pulls are backfills: the bulk lane."""
ENTITIES = {"full": "catalog", "quick": "catalog", "reconcile": "reconciliation"}


class PullInProgress(Conflict):
    code = "sync_in_progress"

    def __init__(self, mode: str, *, run_id: str | None, job_id: str) -> None:
        what = "a reconciliation" if mode == "reconcile" else f"a {mode} sync"
        super().__init__(f"{what} is already queued or running for this tenant", field="runId")
        self.run_id = run_id
        self.job_id = job_id

    def body(self) -> dict[str, object]:
        return {**super().body(), "runId": self.run_id, "jobId": self.job_id}


@dataclass(frozen=True, slots=True)
class Queued:
    run_id: str
    job_id: str
    mode: str


def of_mode(mode: str) -> Any:
    """Jobs of this mode; jobs queued before modes existed are full pulls."""
    if mode == "full":
        return or_(Job.subject == mode, Job.subject.is_(None))
    return Job.subject == mode


async def cin7_connection(session: AsyncSession, tenant_id: str) -> Connection:
    connection = await session.scalar(
        select(Connection).where(Connection.tenant_id == tenant_id, Connection.provider == PROVIDER)
    )
    if connection is None or not connection.credentials:
        raise NotFound("CIN7 is not connected for this tenant", field="connection")
    return connection


async def request_pull(
    services: Services, *, tenant_id: str, mode: str, run_type: str = "manual"
) -> Queued:
    """Queue a pull of `mode` for the tenant, or raise `PullInProgress` naming the one that is."""
    async with services.uows.begin() as uow:
        connection = await cin7_connection(uow.session, tenant_id)
        queued = await queue_pull(uow, connection, mode=mode, run_type=run_type)
        await uow.commit()
    return queued


async def queue_pull(
    uow: UnitOfWork,
    connection: Connection,
    *,
    mode: str,
    run_type: str,
    options: dict[str, Any] | None = None,
) -> Queued:
    """Inside the caller's transaction: the job and its queued run, or `PullInProgress`."""
    if mode not in MODES:
        raise ValueError(f"unknown pull mode {mode!r}")
    session = uow.session
    busy = await session.scalar(
        select(Job)
        .where(
            Job.kind == SYNC_KIND,
            Job.connection_id == connection.id,
            Job.state.in_(BUSY_STATES),
            of_mode(mode),
        )
        .order_by(Job.created_at)
        .limit(1)
    )
    if busy is not None:
        raise PullInProgress(mode, run_id=run_of(busy), job_id=busy.id)
    latest = await session.scalar(
        select(Job.id)
        .where(Job.kind == SYNC_KIND, Job.connection_id == connection.id, of_mode(mode))
        .order_by(Job.created_at.desc(), Job.id.desc())
        .limit(1)
    )
    run_id, job_id = new_id(), new_id()
    key = f"{connection.id}:{mode}:after:{latest or 'none'}"
    added = await enqueue(
        session,
        NewJob(
            kind=SYNC_KIND,
            payload={"mode": mode, "type": run_type, "run_id": run_id, **(options or {})},
            idempotency_key=key,
            tenant_id=connection.tenant_id,
            connection_id=connection.id,
            subject=mode,
            priority=PRIORITIES[mode],
            job_id=job_id,
        ),
        now=uow.now,
    )
    if not added:  # another request took this turn a moment ago
        winner = await session.scalar(
            select(Job).where(Job.kind == SYNC_KIND, Job.idempotency_key == key)
        )
        assert winner is not None
        raise PullInProgress(mode, run_id=run_of(winner), job_id=winner.id)
    session.add(
        Run(
            id=run_id,
            tenant_id=connection.tenant_id,
            connection_id=connection.id,
            job_id=job_id,
            type=run_type,
            direction="pull",
            entity=ENTITIES[mode],
            status="queued",
            details={"mode": mode},
            started_at=uow.now,
        )
    )
    await session.flush()
    return Queued(run_id=run_id, job_id=job_id, mode=mode)


def run_of(job: Job) -> str | None:
    """The run a pull job records: given when it was queued, or started by its first attempt."""
    run_id = (job.checkpoint or {}).get("run_id") or (job.payload or {}).get("run_id")
    return str(run_id) if run_id else None


async def last_pull_start(session: AsyncSession, connection_id: str) -> dt.datetime | None:
    """When the latest successful full, quick or reconciling pull began."""
    started: dt.datetime | None = await session.scalar(
        select(func.max(Run.started_at)).where(
            Run.connection_id == connection_id,
            Run.direction == "pull",
            Run.entity.in_(set(ENTITIES.values())),
            Run.status == "success",
        )
    )
    return started


async def pull_progress(services: Services, *, tenant_id: str, run_id: str) -> dict[str, Any]:
    """A pull's run with its live progress (pages done and expected) from its job."""
    async with services.uows.read() as session:
        run = await session.get(Run, run_id)
        if run is None or run.tenant_id != tenant_id or run.direction != "pull":
            raise NotFound(f"no pull run {run_id}", field="runId")
        job = await session.get(Job, run.job_id) if run.job_id else None
    return progress_view(run, job)


def progress_view(run: Run, job: Job | None) -> dict[str, Any]:
    point = job.checkpoint if job is not None and job.checkpoint else {}
    running = run.status in ("queued", "running")
    pages = point.get("pages", 0) if running else run.pages
    return {
        "runId": run.id,
        "jobId": run.job_id,
        "mode": (run.details or {}).get("mode") or point.get("mode") or "full",
        "type": run.type,
        "status": run.status,
        "phase": point.get("phase") if running else "done",
        "pages": pages,
        "pagesTotal": expected_pages(point) if running else run.pages,
        "itemsSynced": run.items_synced,
        "itemsFailed": run.items_failed,
        "itemsDeleted": run.items_deleted,
        "driftFound": run.drift_found,
        "driftFixed": run.drift_fixed,
        "salesFound": (point if running else run.details or {}).get("sales"),
        "startedAt": run.started_at.isoformat(),
        "completedAt": run.completed_at.isoformat() if run.completed_at else None,
        "durationMs": run.duration_ms,
        "error": run.error,
    }


def expected_pages(point: dict[str, Any]) -> int | None:
    """Pages a pull will read in all, from the totals CIN7 gave on each phase's first page.

    Before availability's first page its total is unknown: products' count stands in for
    it (one row per product at one location is the common case). A catch-up of missed
    sales adds its pages once its first page gave their total.
    """
    size = point.get("page_size")
    products = point.get("products_total")
    if not size or products is None:
        return None
    stock = point.get("stock_pages")
    if stock is None:
        rows = point.get("stock_total", products)
        stock = math.ceil(int(rows) / int(size)) if rows else 1
    sales = point.get("sales_total")
    missed = 0 if sales is None else max(1, math.ceil(int(sales) / int(size)))
    return max(1, math.ceil(int(products) / int(size))) + int(stock) + missed


async def only_tenant(session: AsyncSession) -> str:
    """The tenant of the one CIN7 connection, for commands run without `--tenant`."""
    tenants = list(
        await session.scalars(
            select(Connection.tenant_id)
            .where(Connection.provider == PROVIDER, Connection.credentials != "")
            .limit(2)
        )
    )
    if len(tenants) != 1:
        found = "no tenant has" if not tenants else "several tenants have"
        raise NotFound(f"{found} CIN7 connected: name one with --tenant", field="tenant")
    return tenants[0]
