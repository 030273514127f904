"""Answers of seed 002's sync paths: each entity's freshness, and what a sync request did."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field

from tillsync.api.answers import Answer, when
from tillsync.services.record_freshness import FRESH_FOR, EntitySync, Freshness
from tillsync.services.record_schedule import DailySync
from tillsync.services.record_sync import QueuedSync


class EntityStatus(Answer):
    lastSyncAt: dt.datetime | None = Field(description="When the latest successful sync began")
    needsSync: bool = Field(description="Never synced, or last synced 24 hours ago or more")
    age: int | None = Field(description="Minutes since the latest successful sync")


class SyncStatus(Answer):
    status: dict[str, EntityStatus] = Field(description="By entity")


class EntitySyncAnswer(Answer):
    status: str = Field(description="`queued`, or `skipped` (synced within 24 hours)")
    reason: str | None = Field(description="Why it was skipped")
    runId: str | None
    jobId: str | None
    lastSyncAt: dt.datetime | None
    age: int | None


class SyncAnswer(Answer):
    success: bool
    force: bool
    results: dict[str, EntitySyncAnswer] = Field(description="By entity, as asked")


class EntitySyncQueued(Answer):
    success: bool
    entity: str
    runId: str
    jobId: str


class DailyEntity(Answer):
    status: str = Field(description="`queued`; `running` (a sync already is); `done` today")
    jobId: str | None


class DailyAnswer(Answer):
    success: bool
    date: dt.date = Field(description="The tenant's day the daily sync is of")
    results: dict[str, DailyEntity]


class ReceiverUp(Answer):
    status: str = Field(description="`ok`")


def _minutes(age: dt.timedelta | None) -> int | None:
    return None if age is None else int(age.total_seconds() // 60)


def status_json(found: list[Freshness]) -> dict[str, Any]:
    return {
        "status": {
            fresh.entity: {
                "lastSyncAt": when(fresh.last_sync_at),
                "needsSync": fresh.needs_sync,
                "age": _minutes(fresh.age),
            }
            for fresh in found
        }
    }


def sync_json(results: list[EntitySync], *, force: bool) -> dict[str, Any]:
    shown: dict[str, Any] = {}
    for result in results:
        fresh, queued = result.freshness, result.queued
        hours = int(FRESH_FOR.total_seconds() // 3600)
        shown[fresh.entity] = {
            "status": "queued" if queued else "skipped",
            "reason": None
            if queued
            else f"synced {_minutes(fresh.age)} minutes ago, within {hours} hours",
            "runId": queued.run_id if queued else None,
            "jobId": queued.job_id if queued else None,
            "lastSyncAt": when(fresh.last_sync_at),
            "age": _minutes(fresh.age),
        }
    return {"success": True, "force": force, "results": shown}


def entity_queued_json(queued: QueuedSync) -> dict[str, Any]:
    return {
        "success": True,
        "entity": queued.entity,
        "runId": queued.run_id,
        "jobId": queued.job_id,
    }


def daily_json(found: list[DailySync]) -> dict[str, Any]:
    day = found[0].day.isoformat() if found else None
    results = {one.entity: {"status": one.status, "jobId": one.job_id} for one in found}
    return {"success": True, "date": day, "results": results}
