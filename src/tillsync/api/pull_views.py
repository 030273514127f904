"""A pull's run as the API shows it, with the counts every mode reports the same way."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi.responses import JSONResponse

from tillsync.api.answers import when
from tillsync.bootstrap import Hub
from tillsync.errors import NotFound
from tillsync.services import runs
from tillsync.services.sync.progress import PullView
from tillsync.services.sync.pulls import Queued


async def progress_answer(hub: Hub, view: PullView) -> dict[str, Any]:
    async with hub.uows.read() as session:
        counts = await runs.counts_of(session, [view.run_id])
    return counted(progress(view), one(counts, view.run_id, field="runId"), live_pages=True)


def queued(pull: Queued) -> JSONResponse:
    """202, and where the queued pull is followed."""
    body = {"runId": pull.run_id, "jobId": pull.job_id, "mode": pull.mode, "status": "queued"}
    return JSONResponse(body, status_code=202)


def progress(view: PullView) -> dict[str, Any]:
    return {
        "runId": view.run_id,
        "jobId": view.job_id,
        "mode": view.mode,
        "type": view.type,
        "status": view.status,
        "phase": view.phase,
        "pages": view.pages,
        "pagesTotal": view.pages_total,
        "itemsSynced": view.items_synced,
        "itemsFailed": view.items_failed,
        "itemsDeleted": view.items_deleted,
        "driftFound": view.drift_found,
        "driftFixed": view.drift_fixed,
        "salesFound": view.sales_found,
        "startedAt": view.started_at.isoformat(),
        "completedAt": when(view.completed_at),
        "durationMs": view.duration_ms,
        "error": view.error,
    }


def one(counts: dict[str, runs.RunCounts], run_id: str, *, field: str) -> runs.RunCounts:
    if run_id not in counts:  # swept away by retention since its view was read
        raise NotFound(f"no run {run_id}", field=field)
    return counts[run_id]


def counted(
    view: Mapping[str, Any], counts: runs.RunCounts, *, live_pages: bool = False
) -> dict[str, Any]:
    """A run's view with the counts every mode reports (`RunCounts`), the same way."""
    shown = {
        "pages": view["pages"] if live_pages else counts.pages,
        "itemsSynced": counts.items_synced,
        "itemsFailed": counts.items_failed,
        "itemsDeleted": counts.items_deleted,
        "compared": counts.compared,
        "driftFound": counts.drift_found,
        "driftFixed": counts.drift_fixed,
    }
    return {**view, **shown}
