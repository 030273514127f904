"""Drift reports: what a reconciliation found different between the hub and the warehouse.

A report is the reconciliation's run (its counts `drift_found` / `drift_fixed`) with one
`DriftItem` per difference: which SKU and location (or webhook), which field, the hub's
value, the warehouse's, and whether the hub repaired it. Items are written in the
transaction that repairs them, so a reconciliation that resumes after a crash neither
loses nor repeats one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.domain.drift import Difference, shown
from tillsync.errors import NotFound
from tillsync.store.snapshots import snapshot
from tillsync.store.tables import Connection, DriftItem, Run


async def record(
    session: AsyncSession,
    *,
    tenant_id: str,
    run_id: str,
    differences: list[Difference],
    now: dt.datetime,
) -> None:
    """Add differences to the run's report and its counts, in the caller's transaction."""
    if not differences:
        return
    position = await session.scalar(
        select(func.count()).select_from(DriftItem).where(DriftItem.run_id == run_id)
    )
    start = int(position or 0)
    session.add_all(
        DriftItem(
            tenant_id=tenant_id,
            run_id=run_id,
            position=start + n,
            kind=d.kind,
            sku=d.sku,
            location=d.location,
            field=d.field,
            hub_value=shown(d.hub),
            provider_value=shown(d.provider),
            fixed=d.fixed,
            note=d.note,
            created_at=now,
        )
        for n, d in enumerate(differences)
    )
    fixed = sum(d.fixed for d in differences)
    await session.execute(
        update(Run)
        .where(Run.id == run_id)
        .values(
            drift_found=Run.drift_found + len(differences),
            drift_fixed=Run.drift_fixed + fixed,
        )
    )


@dataclass(frozen=True, slots=True)
class Report:
    """A reconciliation's run, as its drift report."""

    id: str
    type: str
    status: str
    drift_found: int
    drift_fixed: int
    compared: int
    items_deleted: int
    started_at: dt.datetime
    completed_at: dt.datetime | None
    duration_ms: int | None
    error: str | None


@dataclass(frozen=True, slots=True)
class Entry:
    """One difference of a report, its values as the report shows them."""

    kind: str
    sku: str | None
    location: str | None
    field: str
    hub_value: str | None
    provider_value: str | None
    fixed: bool
    note: str | None


async def list_reports(
    session: AsyncSession, *, tenant_id: str, page: int, limit: int, provider: str | None = None
) -> tuple[list[Report], int]:
    """A page of the tenant's reports (of one provider's, if named), latest first, and how
    many there are in all."""
    where = _reports_of(tenant_id, provider)
    total = await session.scalar(select(func.count()).select_from(Run).where(*where))
    runs = await session.scalars(
        select(Run)
        .where(*where)
        .order_by(Run.started_at.desc(), Run.id.desc())
        .offset((page - 1) * limit)
        .limit(limit)
    )
    return [_report(run) for run in runs], int(total or 0)


async def one_report(
    session: AsyncSession,
    *,
    tenant_id: str,
    report_id: str,
    page: int,
    limit: int,
    provider: str | None = None,
) -> tuple[Report, list[Entry]]:
    """A report with a page of its differences, in the order they were found."""
    run = await session.scalar(
        select(Run).where(Run.id == report_id, *_reports_of(tenant_id, provider))
    )
    if run is None:
        raise NotFound(f"no reconciliation report {report_id}", field="id")
    items = await session.scalars(
        select(DriftItem)
        .where(DriftItem.run_id == run.id)
        .order_by(DriftItem.position)
        .offset((page - 1) * limit)
        .limit(limit)
    )
    return _report(run), [snapshot(Entry, item) for item in items]


def _reports_of(tenant_id: str, provider: str | None) -> tuple[ColumnElement[bool], ...]:
    where = (Run.tenant_id == tenant_id, Run.entity == "reconciliation")
    if provider is None:
        return where
    connections = select(Connection.id).where(
        Connection.tenant_id == tenant_id, Connection.provider == provider
    )
    return (*where, Run.connection_id.in_(connections))


def _report(run: Run) -> Report:
    return snapshot(Report, run, compared=(run.details or {}).get("compared", 0))
