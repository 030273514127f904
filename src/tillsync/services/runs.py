"""Runs: every sync or reconciliation recorded, with seed 001's log lines at start and end.

A run may outlive one job attempt (a pull that steps aside for the rate budget resumes
later): it is started once, its id kept in the job's checkpoint, and finished once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.store.tables import Connection, Run, new_id
from tillsync.store.uow import UnitsOfWork

log = logging.getLogger(__name__)
RUN_TYPES = ("manual", "automatic", "webhook")


@dataclass
class RunTally:
    """What a run counts as it goes; written when it ends."""

    items_synced: int = 0
    items_failed: int = 0
    items_deleted: int = 0
    pages: int = 0
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RunCounts:
    """What every run reports, whatever its mode; a mode that has none of one counts 0.

    `pages`: the provider's answers read (listing pages; a quick pull's call per SKU);
    `items_synced`: records read and applied (products and stock rows); `items_failed`:
    records that could not be; `items_deleted`: products retired as no longer listed;
    `compared`: stock rows compared with the hub's figures; `drift_found` / `drift_fixed`:
    differences a reconciliation reported and repaired.
    """

    pages: int
    items_synced: int
    items_failed: int
    items_deleted: int
    compared: int
    drift_found: int
    drift_fixed: int


def run_counts(run: Run) -> RunCounts:
    compared = (run.details or {}).get("compared", 0)
    return RunCounts(
        pages=run.pages,
        items_synced=run.items_synced,
        items_failed=run.items_failed,
        items_deleted=run.items_deleted,
        compared=compared if isinstance(compared, int) else 0,
        drift_found=run.drift_found,
        drift_fixed=run.drift_fixed,
    )


async def counts_of(session: AsyncSession, run_ids: Iterable[str]) -> dict[str, RunCounts]:
    """The counts of these runs, by id (runs that do not exist are left out)."""
    wanted = list(dict.fromkeys(run_ids))
    if not wanted:
        return {}
    runs = await session.scalars(select(Run).where(Run.id.in_(wanted)))
    return {run.id: run_counts(run) for run in runs}


async def start_run(
    uows: UnitsOfWork,
    *,
    connection: Connection,
    label: str,
    run_type: str,
    direction: str,
    entity: str,
    job_id: str | None = None,
) -> str:
    run_id = new_id()
    async with uows.begin() as uow:
        uow.session.add(
            Run(
                id=run_id,
                tenant_id=connection.tenant_id,
                connection_id=connection.id,
                job_id=job_id,
                type=run_type if run_type in RUN_TYPES else "automatic",
                direction=direction,
                entity=entity,
                status="running",
                started_at=uow.now,
            )
        )
        await uow.commit()
    log.info(
        f"{label} Sync Started",
        extra={
            "run_id": run_id,
            "tenant_id": connection.tenant_id,
            "connection_id": connection.id,
            "sync_type": run_type,
            "direction": direction,
            "entity": entity,
        },
    )
    return run_id


async def finish_run(
    uows: UnitsOfWork,
    run_id: str,
    tally: RunTally,
    *,
    label: str,
    error: str | None = None,
) -> None:
    """Success, partial (some items failed) or failed; a failed run may be finished again."""
    status = "failed" if error else "partial" if tally.items_failed else "success"
    async with uows.begin() as uow:
        run = await uow.session.get(Run, run_id)
        if run is None:
            return
        duration = int((uow.now - run.started_at).total_seconds() * 1000)
        run.status, run.error = status, error
        run.items_synced, run.items_failed = tally.items_synced, tally.items_failed
        run.items_deleted, run.pages, run.details = tally.items_deleted, tally.pages, tally.details
        run.completed_at, run.duration_ms = uow.now, duration
        if status != "failed" and run.connection_id:
            await uow.session.execute(
                update(Connection)
                .where(Connection.id == run.connection_id)
                .values(last_sync_at=uow.now)
            )
        await uow.commit()
    log.info(
        f"{label} Sync Completed",
        extra={
            "run_id": run_id,
            "status": status,
            "duration_ms": duration,
            "items_synced": tally.items_synced,
            "items_failed": tally.items_failed,
            "pages_processed": tally.pages,
            "errors_encountered": tally.items_failed + (1 if error else 0),
        },
    )
