"""Sync history and statistics (seed 004): views of the jobs table, scoped to one tenant.

A `batched` job handed its effect to a batch job (its checkpoint names it): it is shown,
filtered and counted with the batch's outcome, so a sale pushed in a batch reads as the
batch did.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from tillsync.domain.ledger import as_number
from tillsync.errors import NotFound
from tillsync.jobs.admin import JobState
from tillsync.services.tenants import Caller
from tillsync.store.tables import Connection, Job, JobAttempt, Sale, SaleLine
from tillsync.store.uow import UnitsOfWork

SALE_SUBJECT = "sale:"
_batch = aliased(Job, name="batch")
_batch_joined = and_(
    Job.state == "batched",
    _batch.id == Job.checkpoint["batch_job_id"].as_string(),
    _batch.tenant_id == Job.tenant_id,
)
_status = case((Job.state == "batched", func.coalesce(_batch.state, "batched")), else_=Job.state)
"""The state a job is shown with: its own, or its batch's."""
_sale_joined = and_(
    Job.subject.startswith(SALE_SUBJECT),
    Sale.id == func.substr(Job.subject, len(SALE_SUBJECT) + 1),
    Sale.tenant_id == Job.tenant_id,
)
_connection_joined = and_(Connection.id == Job.connection_id, Connection.tenant_id == Job.tenant_id)


def check_business(caller: Caller, business_id: str) -> None:
    """A business id is the caller's tenant id; any other is simply not found."""
    if business_id != caller.tenant_id:
        raise NotFound("no such business", field="business_id")


async def sync_logs(
    uows: UnitsOfWork, tenant_id: str, *, status: JobState | None, limit: int, offset: int
) -> dict[str, Any]:
    """One page of logs, newest first, and how many match in all."""
    where = [Job.tenant_id == tenant_id]
    if status == "batched":
        where.append(Job.state == "batched")
    elif status is not None:
        where.append(_status == status)
    page = (
        _logs()
        .where(*where)
        .order_by(Job.created_at.desc(), Job.id.desc())
        .limit(limit)
        .offset(offset)
    )
    count = select(func.count()).select_from(Job).outerjoin(_batch, _batch_joined).where(*where)
    async with uows.read() as session:
        total = await session.scalar(count) or 0
        rows = await session.execute(page)
        logs = [_log_view(job, batch, order, provider) for job, batch, order, provider in rows]
    return {"logs": logs, "total": total, "limit": limit, "offset": offset}


async def sync_stats(uows: UnitsOfWork, tenant_id: str) -> dict[str, Any]:
    query = (
        select(
            func.count(Job.id),
            _counted("success"),
            _counted("failed"),
            _counted("retry"),
        )
        .select_from(Job)
        .outerjoin(_batch, _batch_joined)
        .where(Job.tenant_id == tenant_id)
    )
    async with uows.read() as session:
        total, successful, failed, retrying = (await session.execute(query)).one()
    return {
        "total_syncs": int(total),
        "successful_syncs": int(successful),
        "failed_syncs": int(failed),
        "pending_retries": int(retrying),
        "success_rate": success_rate(int(successful), int(total)),
    }


async def connection_stats(uows: UnitsOfWork, tenant_id: str) -> list[dict[str, Any]]:
    """Every connection of the tenant (disconnected ones too) with its job counts."""
    outcome_at = func.coalesce(_batch.completed_at, Job.completed_at)
    per = (
        select(
            Job.connection_id.label("connection_id"),
            func.count(Job.id).label("total"),
            _counted("success").label("successful"),
            _counted("failed").label("failed"),
            _counted("retry").label("retrying"),
            _counted("pending", "syncing").label("queued"),
            func.max(case((_status == "success", outcome_at))).label("last_success_at"),
        )
        .select_from(Job)
        .outerjoin(_batch, _batch_joined)
        .where(Job.tenant_id == tenant_id, Job.connection_id.is_not(None))
        .group_by(Job.connection_id)
        .subquery()
    )
    query = (
        select(Connection, per)
        .outerjoin(per, per.c.connection_id == Connection.id)
        .where(Connection.tenant_id == tenant_id)
        .order_by(Connection.provider, Connection.id)
    )
    async with uows.read() as session:
        rows = (await session.execute(query)).all()
    views = []
    for row in rows:
        connection: Connection = row[0]
        total, successful = int(row.total or 0), int(row.successful or 0)
        views.append(
            {
                "connection_id": connection.id,
                "provider": connection.provider,
                "role": connection.role,
                "status": connection.status,
                "account_name": connection.account_name,
                "error_count": connection.error_count,
                "last_error": connection.last_error,
                "last_sync_at": _iso(connection.last_sync_at),
                "last_success_at": _iso(row.last_success_at),
                "total_syncs": total,
                "successful_syncs": successful,
                "failed_syncs": int(row.failed or 0),
                "pending_retries": int(row.retrying or 0),
                "queued": int(row.queued or 0),
                "success_rate": success_rate(successful, total),
            }
        )
    return views


async def sale_history(uows: UnitsOfWork, caller: Caller, sale_id: str) -> dict[str, Any]:
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
        jobs = [_log_view(job, batch, order, provider) for job, batch, order, provider in rows]
        attempts = await _attempts(session, [job["id"] for job in jobs])
    return {
        "sale": {
            "id": sale.id,
            "reference": sale.reference,
            "created_at": sale.created_at.isoformat(),
            "location": sale.location,
            "total": as_number(sale.total),
            "invoice_number": sale.invoice_number,
            "customer_name": sale.customer_name,
            "customer_id": sale.customer_id,
            "currency": sale.currency,
            "payment_method": sale.payment_method,
            "provider_reference": sale.provider_reference,
            "lines": [_line_view(line) for line in lines],
        },
        "jobs": [{**job, "attempts": attempts.get(job["id"], [])} for job in jobs],
    }


async def shown_states(session: AsyncSession, tenant_id: str, subject: str) -> list[str]:
    """The states of a subject's jobs as history shows them: a batched job by its batch's."""
    rows = await session.scalars(
        select(_status)
        .select_from(Job)
        .outerjoin(_batch, _batch_joined)
        .where(Job.tenant_id == tenant_id, Job.subject == subject)
    )
    return list(rows)


async def subject_jobs(
    session: AsyncSession, tenant_id: str, subject: str
) -> list[tuple[Job, str, Connection | None]]:
    """A subject's jobs, oldest first, each with the state history shows and its connection."""
    rows = await session.execute(
        select(Job, _status, Connection)
        .outerjoin(_batch, _batch_joined)
        .outerjoin(Connection, _connection_joined)
        .where(Job.tenant_id == tenant_id, Job.subject == subject)
        .order_by(Job.created_at, Job.id)
    )
    return [(job, str(state), connection) for job, state, connection in rows]


def success_rate(successful: int, total: int) -> float:
    """successful / total × 100, rounded half up to one decimal; 0.0 with nothing done."""
    if total == 0:
        return 0.0
    rate = (Decimal(successful) * 100 / Decimal(total)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return float(rate)


def _counted(*statuses: str) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((_status.in_(statuses), 1), else_=0)), 0)


def _logs() -> Select[Job, Job, str, str]:
    return (
        select(Job, _batch, Sale.reference, Connection.provider)
        .outerjoin(_batch, _batch_joined)
        .outerjoin(Sale, _sale_joined)
        .outerjoin(Connection, _connection_joined)
    )


def _log_view(
    job: Job, batch: Job | None, order_id: str | None, provider: str | None
) -> dict[str, Any]:
    batched = job.state == "batched"
    outcome = batch if batched and batch is not None else job
    return {
        "id": job.id,
        "order_id": order_id,
        "status": outcome.state,
        "provider": provider or job.kind.split(".", 1)[0],
        "pos_order_id": job.provider_reference,
        "retry_count": max(job.attempts - 1, 0),
        "duration_ms": job.duration_ms,
        "completed_at": _iso(outcome.completed_at),
        "created_at": job.created_at.isoformat(),
        "next_retry_at": _iso(outcome.next_attempt_at) if outcome.state == "retry" else None,
        "error_message": outcome.last_error,
        "error_class": outcome.error_class,
        "kind": job.kind,
        "connection_id": job.connection_id,
        "batch_id": job.checkpoint.get("batch_job_id") if batched else None,
    }


async def _attempts(session: AsyncSession, job_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    if not job_ids:
        return found
    rows = await session.scalars(
        select(JobAttempt)
        .where(JobAttempt.job_id.in_(job_ids))
        .order_by(JobAttempt.started_at, JobAttempt.number, JobAttempt.id)
    )
    for attempt in rows:
        found.setdefault(attempt.job_id, []).append(
            {
                "number": attempt.number,
                "worker": attempt.worker,
                "started_at": attempt.started_at.isoformat(),
                "finished_at": _iso(attempt.finished_at),
                "outcome": attempt.outcome,
                "error": attempt.error,
            }
        )
    return found


def _line_view(line: SaleLine) -> dict[str, Any]:
    return {
        "sku": line.sku,
        "name": line.name,
        "quantity": as_number(line.quantity),
        "price": as_number(line.price),
        "tax": as_number(line.tax),
    }


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
