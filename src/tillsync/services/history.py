"""Sync history (seed 004): the tenant's jobs as logs, and one POS sale with its jobs.

A `batched` job handed its effect to a batch job (its checkpoint names it): it is shown,
filtered and counted with the batch's outcome, so a sale pushed in a batch reads as the
batch did.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from tillsync.errors import NotFound
from tillsync.jobs.states import JOB_STATES, JobState
from tillsync.services.tenants import Caller
from tillsync.store.snapshots import one_of, snapshot
from tillsync.store.tables import Connection, Job, JobAttempt, Order, Sale, SaleLine
from tillsync.store.uow import UnitsOfWork

SALE_SUBJECT = "sale:"
batch_job = aliased(Job, name="batch")
batch_joined = and_(
    Job.state == "batched",
    batch_job.id == Job.checkpoint["batch_job_id"].as_string(),
    batch_job.tenant_id == Job.tenant_id,
)
shown_state = case(
    (Job.state == "batched", func.coalesce(batch_job.state, "batched")), else_=Job.state
)
"""The state a job is shown with: its own, or its batch's."""
_sale_joined = and_(
    Job.subject.startswith(SALE_SUBJECT),
    Sale.id == func.substr(Job.subject, len(SALE_SUBJECT) + 1),
    Sale.tenant_id == Job.tenant_id,
)
ORDER_SUBJECT = "order:"
_order_joined = and_(
    Job.subject.startswith(ORDER_SUBJECT),
    Order.id == func.substr(Job.subject, len(ORDER_SUBJECT) + 1),
    Order.tenant_id == Job.tenant_id,
)
_connection_joined = and_(Connection.id == Job.connection_id, Connection.tenant_id == Job.tenant_id)


@dataclass(frozen=True, slots=True)
class SyncLog:
    """One job as the history shows it: a batched job with its batch's outcome."""

    id: str
    kind: str
    status: JobState
    provider: str
    connection_id: str | None
    sale_reference: str | None
    """The POS's saleId of the sale the job carries, or the app's order_id of its order."""
    provider_reference: str | None
    """What the provider calls the sale it was given (its order or invoice)."""
    retry_count: int
    created_at: dt.datetime
    completed_at: dt.datetime | None
    duration_ms: int | None
    next_retry_at: dt.datetime | None
    error: str | None
    error_class: str | None
    batch_id: str | None
    """The batch job that carried this one's sale, for a batched job."""


@dataclass(frozen=True, slots=True)
class SyncLogPage:
    logs: tuple[SyncLog, ...]
    total: int
    """How many logs match in all, past this page too."""
    limit: int
    offset: int


@dataclass(frozen=True, slots=True)
class Attempt:
    number: int
    worker: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    outcome: str | None
    error: str | None


@dataclass(frozen=True, slots=True)
class SoldLine:
    sku: str
    name: str
    quantity: Decimal
    price: Decimal
    tax: Decimal


@dataclass(frozen=True, slots=True)
class SaleRecord:
    id: str
    reference: str
    created_at: dt.datetime
    location: str
    total: Decimal
    invoice_number: str | None
    customer_name: str | None
    customer_id: str | None
    currency: str | None
    payment_method: str | None
    provider_reference: str | None
    lines: tuple[SoldLine, ...]


@dataclass(frozen=True, slots=True)
class SaleJob:
    log: SyncLog
    attempts: tuple[Attempt, ...]


@dataclass(frozen=True, slots=True)
class SaleHistory:
    sale: SaleRecord
    jobs: tuple[SaleJob, ...]


def check_business(caller: Caller, business_id: str) -> None:
    """A business id is the caller's tenant id; any other is simply not found."""
    if business_id != caller.tenant_id:
        raise NotFound("no such business", field="business_id")


async def sync_logs(
    uows: UnitsOfWork, tenant_id: str, *, status: JobState | None, limit: int, offset: int
) -> SyncLogPage:
    """One page of logs, newest first, and how many match in all."""
    where = [Job.tenant_id == tenant_id]
    if status == "batched":
        where.append(Job.state == "batched")
    elif status is not None:
        where.append(shown_state == status)
    page = (
        _logs()
        .where(*where)
        .order_by(Job.created_at.desc(), Job.id.desc())
        .limit(limit)
        .offset(offset)
    )
    count = select(func.count()).select_from(Job).outerjoin(batch_job, batch_joined).where(*where)
    async with uows.read() as session:
        total = await session.scalar(count) or 0
        rows = await session.execute(page)
        logs = tuple(_log(job, batch, order, provider) for job, batch, order, provider in rows)
    return SyncLogPage(logs=logs, total=total, limit=limit, offset=offset)


async def sale_history(uows: UnitsOfWork, caller: Caller, sale_id: str) -> SaleHistory:
    """A POS sale, and every job that carries it with each of their attempts."""
    async with uows.read() as session:
        sale = await session.scalar(
            select(Sale).where(
                Sale.tenant_id == caller.tenant_id, Sale.source == "pos", Sale.reference == sale_id
            )
        )
        if sale is None:
            raise NotFound(f"no sale '{sale_id}'", field="sale_id")
        lines = await session.scalars(
            select(SaleLine).where(SaleLine.sale_id == sale.id).order_by(SaleLine.position)
        )
        rows = await session.execute(
            _logs()
            .where(Job.tenant_id == caller.tenant_id, Job.subject == SALE_SUBJECT + sale.id)
            .order_by(Job.created_at, Job.id)
        )
        logs = [_log(job, batch, order, provider) for job, batch, order, provider in rows]
        attempts = await attempts_of(session, [log.id for log in logs])
        sold = tuple(snapshot(SoldLine, line) for line in lines)
        record = snapshot(SaleRecord, sale, lines=sold)
    return SaleHistory(
        sale=record,
        jobs=tuple(SaleJob(log=log, attempts=tuple(attempts.get(log.id, ()))) for log in logs),
    )


async def shown_states(session: AsyncSession, tenant_id: str, subject: str) -> list[str]:
    """The states of a subject's jobs as history shows them: a batched job by its batch's."""
    rows = await session.scalars(
        select(shown_state)
        .select_from(Job)
        .outerjoin(batch_job, batch_joined)
        .where(Job.tenant_id == tenant_id, Job.subject == subject)
    )
    return list(rows)


async def subject_jobs(
    session: AsyncSession, tenant_id: str, subject: str
) -> list[tuple[Job, str, Connection | None]]:
    """A subject's jobs, oldest first, each with the state history shows and its connection."""
    rows = await session.execute(
        select(Job, shown_state, Connection)
        .outerjoin(batch_job, batch_joined)
        .outerjoin(Connection, _connection_joined)
        .where(Job.tenant_id == tenant_id, Job.subject == subject)
        .order_by(Job.created_at, Job.id)
    )
    return [(job, str(state), connection) for job, state, connection in rows]


def _logs() -> Select[Job, Job, str, str]:
    return (
        select(Job, batch_job, func.coalesce(Sale.reference, Order.order_id), Connection.provider)
        .outerjoin(batch_job, batch_joined)
        .outerjoin(Sale, _sale_joined)
        .outerjoin(Order, _order_joined)
        .outerjoin(Connection, _connection_joined)
    )


def _log(job: Job, batch: Job | None, sale_reference: str | None, provider: str | None) -> SyncLog:
    batched = job.state == "batched"
    outcome = batch if batched and batch is not None else job
    return SyncLog(
        id=job.id,
        kind=job.kind,
        status=one_of(outcome.state, JOB_STATES),
        provider=provider or job.kind.split(".", 1)[0],
        connection_id=job.connection_id,
        sale_reference=sale_reference,
        provider_reference=job.provider_reference,
        retry_count=max(job.attempts - 1, 0),
        created_at=job.created_at,
        completed_at=outcome.completed_at,
        duration_ms=job.duration_ms,
        next_retry_at=outcome.next_attempt_at if outcome.state == "retry" else None,
        error=outcome.last_error,
        error_class=outcome.error_class,
        batch_id=job.checkpoint.get("batch_job_id") if batched else None,
    )


async def attempts_of(session: AsyncSession, job_ids: list[str]) -> dict[str, list[Attempt]]:
    found: dict[str, list[Attempt]] = {}
    if not job_ids:
        return found
    rows = await session.scalars(
        select(JobAttempt)
        .where(JobAttempt.job_id.in_(job_ids))
        .order_by(JobAttempt.started_at, JobAttempt.number, JobAttempt.id)
    )
    for attempt in rows:
        found.setdefault(attempt.job_id, []).append(snapshot(Attempt, attempt))
    return found
