"""Answers of the sync history and statistics (seed 004), the connections' stats and one
sale's history, with the functions that write them (figures as numbers, `api/numbers`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tillsync.api.answers import Answer, paged, when
from tillsync.api.numbers import number
from tillsync.services import history, stats


class SyncLog(Answer):
    id: str
    order_id: str | None
    status: str
    provider: str
    pos_order_id: str | None
    retry_count: int
    duration_ms: int | None
    completed_at: dt.datetime | None
    created_at: dt.datetime
    next_retry_at: dt.datetime | None
    error_message: str | None
    error_class: str | None
    kind: str
    connection_id: str | None
    batch_id: str | None


class SyncLogPage(Answer):
    logs: list[SyncLog]
    total: int
    limit: int
    offset: int


class SyncHistory(Answer):
    success: bool
    data: SyncLogPage


class SyncStats(Answer):
    total_syncs: int
    successful_syncs: int
    failed_syncs: int
    pending_retries: int
    success_rate: float


class SyncStatsData(Answer):
    stats: SyncStats


class SyncStatsAnswer(Answer):
    success: bool
    data: SyncStatsData


class ConnectionStats(Answer):
    connection_id: str
    provider: str
    role: str
    status: str
    account_name: str | None
    error_count: int
    last_error: str | None
    last_sync_at: dt.datetime | None
    last_success_at: dt.datetime | None
    total_syncs: int
    successful_syncs: int
    failed_syncs: int
    pending_retries: int
    queued: int
    success_rate: float


class ConnectionStatsList(Answer):
    connections: list[ConnectionStats]


def sync_log_page_json(page: history.SyncLogPage) -> dict[str, Any]:
    return paged("logs", [sync_log_json(log) for log in page.logs], page)


def sync_log_json(log: history.SyncLog) -> dict[str, Any]:
    return {
        "id": log.id,
        "order_id": log.sale_reference,
        "status": log.status,
        "provider": log.provider,
        "pos_order_id": log.provider_reference,
        "retry_count": log.retry_count,
        "duration_ms": log.duration_ms,
        "completed_at": when(log.completed_at),
        "created_at": log.created_at.isoformat(),
        "next_retry_at": when(log.next_retry_at),
        "error_message": log.error,
        "error_class": log.error_class,
        "kind": log.kind,
        "connection_id": log.connection_id,
        "batch_id": log.batch_id,
    }


def sync_stats_json(counted: stats.SyncStats) -> dict[str, Any]:
    return {
        "total_syncs": counted.total_syncs,
        "successful_syncs": counted.successful_syncs,
        "failed_syncs": counted.failed_syncs,
        "pending_retries": counted.pending_retries,
        "success_rate": counted.success_rate,
    }


def connection_stats_json(connection: stats.ConnectionStats) -> dict[str, Any]:
    counted = sync_stats_json(connection.syncs)
    rate = counted.pop("success_rate")  # the answer's keys keep their order: the rate last
    return {
        "connection_id": connection.connection_id,
        "provider": connection.provider,
        "role": connection.role,
        "status": connection.status,
        "account_name": connection.account_name,
        "error_count": connection.error_streak,
        "last_error": connection.last_error,
        "last_sync_at": when(connection.last_sync_at),
        "last_success_at": when(connection.last_success_at),
        **counted,
        "queued": connection.queued,
        "success_rate": rate,
    }


def sale_history_json(shown: history.SaleHistory) -> dict[str, Any]:
    """The answer `SaleHistory` (api/answers/sales.py): a sale, its jobs and their attempts."""
    sale = shown.sale
    return {
        "sale": {
            "id": sale.id,
            "reference": sale.reference,
            "created_at": sale.created_at.isoformat(),
            "location": sale.location,
            "total": number(sale.total),
            "invoice_number": sale.invoice_number,
            "customer_name": sale.customer_name,
            "customer_id": sale.customer_id,
            "currency": sale.currency,
            "payment_method": sale.payment_method,
            "provider_reference": sale.provider_reference,
            "lines": [_sold_line_json(line) for line in sale.lines],
        },
        "jobs": [
            {**sync_log_json(job.log), "attempts": [_attempt_json(a) for a in job.attempts]}
            for job in shown.jobs
        ],
    }


def _sold_line_json(line: history.SoldLine) -> dict[str, Any]:
    return {
        "sku": line.sku,
        "name": line.name,
        "quantity": number(line.quantity),
        "price": number(line.price),
        "tax": number(line.tax),
    }


def _attempt_json(attempt: history.Attempt) -> dict[str, Any]:
    return {
        "number": attempt.number,
        "worker": attempt.worker,
        "started_at": attempt.started_at.isoformat(),
        "finished_at": when(attempt.finished_at),
        "outcome": attempt.outcome,
        "error": attempt.error,
    }
