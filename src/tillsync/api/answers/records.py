"""Answers of the records routes: provider objects as the provider has them, numbers exact."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field

from tillsync.api.answers import Answer, paged, when
from tillsync.services.record_sync import QueuedSync
from tillsync.services.record_views import RecordPage, StoredRecord


class RecordAnswer(Answer):
    entity: str
    external_id: str = Field(description="The provider's id of the object")
    name: str
    data: dict[str, Any] = Field(
        description="The object's fields; every number a decimal string, money in units"
    )
    remote_updated_at: dt.datetime | None
    removed_at: dt.datetime | None = Field(description="When the provider removed it")
    synced_at: dt.datetime


class RecordsPage(Answer):
    records: list[RecordAnswer]
    total: int = Field(description="Records matching in all, past this page too")
    limit: int
    offset: int


class RecordSyncQueued(Answer):
    entity: str
    runId: str
    jobId: str


def record_json(record: StoredRecord) -> dict[str, Any]:
    return {
        "entity": record.entity,
        "external_id": record.external_id,
        "name": record.name,
        "data": dict(record.data),
        "remote_updated_at": when(record.remote_updated_at),
        "removed_at": when(record.deleted_at),
        "synced_at": when(record.synced_at),
    }


def records_page_json(page: RecordPage) -> dict[str, Any]:
    return paged("records", [record_json(record) for record in page.records], page)


def queued_json(queued: QueuedSync) -> dict[str, Any]:
    return {"entity": queued.entity, "runId": queued.run_id, "jobId": queued.job_id}
