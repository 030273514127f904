"""Answers of the sync history and statistics (seed 004) and of the connections' stats."""

from __future__ import annotations

import datetime as dt

from tillsync.api.answers import Answer


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
