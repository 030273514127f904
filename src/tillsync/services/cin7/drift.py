"""Drift reports: what a reconciliation found different between the hub and CIN7.

A report is the reconciliation's run (its counts `drift_found` / `drift_fixed`) with one
`DriftItem` per difference: which SKU and location (or webhook), which field, the hub's
value, CIN7's, and whether the hub repaired it. Items are written in the transaction that
repairs them, so a reconciliation that resumes after a crash neither loses nor repeats one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.connectors.cin7 import mapping
from tillsync.errors import NotFound
from tillsync.store.tables import DriftItem, Product, Run

ZERO = Decimal(0)
VALUE_LENGTH = 300
PRODUCT_FIELDS = ("name", "barcode", "price", "reorder_level", "active")


@dataclass(frozen=True, slots=True)
class Difference:
    kind: str
    field: str
    hub: object
    provider: object
    fixed: bool
    sku: str | None = None
    location: str | None = None
    note: str | None = None


def text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return str(value)[:VALUE_LENGTH]


def product_differences(
    existing: Mapping[str, Product], found: Iterable[mapping.ProductFields]
) -> list[Difference]:
    """How CIN7's products differ from the hub's catalog (the page's upsert repairs them)."""
    differences = []
    for fields in found:
        product = existing.get(fields.sku)
        if product is None:
            differences.append(
                Difference("product", "exists", "absent", "listed", True, sku=fields.sku)
            )
            continue
        theirs = {
            "name": fields.name,
            "barcode": fields.barcode,
            "price": fields.price,
            "reorder_level": fields.reorder_level or ZERO,
            "active": fields.active,
        }
        for name in PRODUCT_FIELDS:
            ours = getattr(product, name)
            if ours != theirs[name]:
                differences.append(
                    Difference("product", name, ours, theirs[name], True, sku=fields.sku)
                )
    return differences


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
            hub_value=text(d.hub),
            provider_value=text(d.provider),
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


async def list_reports(
    session: AsyncSession, *, tenant_id: str, page: int, limit: int
) -> dict[str, Any]:
    where = (Run.tenant_id == tenant_id, Run.entity == "reconciliation")
    total = await session.scalar(select(func.count()).select_from(Run).where(*where))
    runs = await session.scalars(
        select(Run)
        .where(*where)
        .order_by(Run.started_at.desc(), Run.id.desc())
        .offset((page - 1) * limit)
        .limit(limit)
    )
    return {
        "reports": [report_view(run) for run in runs],
        "page": page,
        "limit": limit,
        "total": int(total or 0),
    }


async def one_report(
    session: AsyncSession, *, tenant_id: str, report_id: str, page: int, limit: int
) -> dict[str, Any]:
    run = await session.get(Run, report_id)
    if run is None or run.tenant_id != tenant_id or run.entity != "reconciliation":
        raise NotFound(f"no reconciliation report {report_id}", field="id")
    items = await session.scalars(
        select(DriftItem)
        .where(DriftItem.run_id == run.id)
        .order_by(DriftItem.position)
        .offset((page - 1) * limit)
        .limit(limit)
    )
    return {
        **report_view(run),
        "items": [item_view(item) for item in items],
        "page": page,
        "limit": limit,
    }


def report_view(run: Run) -> dict[str, Any]:
    details = run.details or {}
    return {
        "id": run.id,
        "type": run.type,
        "status": run.status,
        "driftFound": run.drift_found,
        "driftFixed": run.drift_fixed,
        "compared": details.get("compared", 0),
        "itemsDeleted": run.items_deleted,
        "startedAt": run.started_at.isoformat(),
        "completedAt": run.completed_at.isoformat() if run.completed_at else None,
        "durationMs": run.duration_ms,
        "error": run.error,
    }


def item_view(item: DriftItem) -> dict[str, Any]:
    return {
        "kind": item.kind,
        "sku": item.sku,
        "location": item.location,
        "field": item.field,
        "hubValue": item.hub_value,
        "cin7Value": item.provider_value,
        "fixed": item.fixed,
        "note": item.note,
    }
