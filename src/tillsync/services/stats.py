"""Sync statistics (seed 004 and the dashboard): a tenant's jobs counted, in all and per
connection, each job by the outcome its history shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import ColumnElement, Row, case, func, select

from tillsync.services.history import batch_job, batch_joined, shown_state
from tillsync.store.tables import Connection, Job
from tillsync.store.uow import UnitsOfWork


@dataclass(frozen=True, slots=True)
class SyncStats:
    total_syncs: int
    successful_syncs: int
    failed_syncs: int
    pending_retries: int
    success_rate: float
    """Percent of all syncs that succeeded, to one decimal (`success_rate`)."""


@dataclass(frozen=True, slots=True)
class ConnectionStats:
    """A connection (disconnected ones too) with its health and its jobs counted."""

    connection_id: str
    provider: str
    role: str
    status: str
    account_name: str | None
    error_streak: int
    """Calls to the provider that failed in a row, up to now."""
    last_error: str | None
    last_sync_at: dt.datetime | None
    last_success_at: dt.datetime | None
    syncs: SyncStats
    queued: int
    """Jobs waiting or running."""


async def sync_stats(uows: UnitsOfWork, tenant_id: str) -> SyncStats:
    query = (
        select(
            func.count(Job.id),
            _counted("success"),
            _counted("failed"),
            _counted("retry"),
        )
        .select_from(Job)
        .outerjoin(batch_job, batch_joined)
        .where(Job.tenant_id == tenant_id)
    )
    async with uows.read() as session:
        total, successful, failed, retrying = (await session.execute(query)).one()
    return _stats(total, successful, failed, retrying)


async def connection_stats(uows: UnitsOfWork, tenant_id: str) -> list[ConnectionStats]:
    """Every connection of the tenant (disconnected ones too) with its job counts."""
    outcome_at = func.coalesce(batch_job.completed_at, Job.completed_at)
    per = (
        select(
            Job.connection_id.label("connection_id"),
            func.count(Job.id).label("total"),
            _counted("success").label("successful"),
            _counted("failed").label("failed"),
            _counted("retry").label("retrying"),
            _counted("pending", "syncing").label("queued"),
            func.max(case((shown_state == "success", outcome_at))).label("last_success_at"),
        )
        .select_from(Job)
        .outerjoin(batch_job, batch_joined)
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
    return [_per_connection(row[0], row) for row in rows]


def success_rate(successful: int, total: int) -> float:
    """successful / total × 100, rounded half up to one decimal; 0.0 with nothing done."""
    if total == 0:
        return 0.0
    rate = (Decimal(successful) * 100 / Decimal(total)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return float(rate)


def _per_connection(connection: Connection, counts: Row[Any]) -> ConnectionStats:
    return ConnectionStats(
        connection_id=connection.id,
        provider=connection.provider,
        role=connection.role,
        status=connection.status,
        account_name=connection.account_name,
        error_streak=connection.error_count,
        last_error=connection.last_error,
        last_sync_at=connection.last_sync_at,
        last_success_at=counts.last_success_at,
        syncs=_stats(counts.total, counts.successful, counts.failed, counts.retrying),
        queued=int(counts.queued or 0),
    )


def _stats(total: Any, successful: Any, failed: Any, retrying: Any) -> SyncStats:
    """Counts as the database gives them (None where a connection has no jobs)."""
    done, good = int(total or 0), int(successful or 0)
    return SyncStats(
        total_syncs=done,
        successful_syncs=good,
        failed_syncs=int(failed or 0),
        pending_retries=int(retrying or 0),
        success_rate=success_rate(good, done),
    )


def _counted(*statuses: str) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((shown_state.in_(statuses), 1), else_=0)), 0)
