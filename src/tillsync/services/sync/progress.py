"""A pull's run as it goes: its status, phase, and pages done out of those expected."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from tillsync.domain.progress import expected_pages
from tillsync.errors import NotFound
from tillsync.services.context import Services
from tillsync.store.tables import Connection, Job, Run


@dataclass(frozen=True, slots=True)
class PullView:
    run_id: str
    job_id: str | None
    mode: str
    type: str
    status: str
    phase: str | None
    pages: int
    pages_total: int | None
    items_synced: int
    items_failed: int
    items_deleted: int
    drift_found: int
    drift_fixed: int
    sales_found: int | None
    started_at: dt.datetime
    completed_at: dt.datetime | None
    duration_ms: int | None
    error: str | None


async def pull_progress(
    services: Services, *, tenant_id: str, run_id: str, provider: str | None = None
) -> PullView:
    """A pull's run with its live progress (pages done and expected) from its job; with
    `provider`, only a run of a connection to that provider."""
    async with services.uows.read() as session:
        run = await session.get(Run, run_id)
        if run is None or run.tenant_id != tenant_id or run.direction != "pull":
            raise NotFound(f"no pull run {run_id}", field="runId")
        connection = await session.get(Connection, run.connection_id) if provider else None
        if provider and (connection is None or connection.provider != provider):
            raise NotFound(f"no pull run {run_id} from {provider}", field="runId")
        job = await session.get(Job, run.job_id) if run.job_id else None
    return progress_view(run, job)


def progress_view(run: Run, job: Job | None) -> PullView:
    point = job.checkpoint if job is not None and job.checkpoint else {}
    running = run.status in ("queued", "running")
    return PullView(
        run_id=run.id,
        job_id=run.job_id,
        mode=(run.details or {}).get("mode") or point.get("mode") or "full",
        type=run.type,
        status=run.status,
        phase=point.get("phase") if running else "done",
        pages=point.get("pages", 0) if running else run.pages,
        pages_total=_expected(point) if running else run.pages,
        items_synced=run.items_synced,
        items_failed=run.items_failed,
        items_deleted=run.items_deleted,
        drift_found=run.drift_found,
        drift_fixed=run.drift_fixed,
        sales_found=(point if running else run.details or {}).get("sales"),
        started_at=run.started_at,
        completed_at=run.completed_at,
        duration_ms=run.duration_ms,
        error=run.error,
    )


def _expected(point: dict[str, Any]) -> int | None:
    def number(name: str) -> int | None:
        value = point.get(name)
        return None if value is None else int(value)

    return expected_pages(
        page_size=number("page_size"),
        products=number("products_total"),
        stock_rows=number("stock_total"),
        stock_pages=number("stock_pages"),
        sales=number("sales_total"),
    )
