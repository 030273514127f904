"""Drift reports of a provider's reconciliations: the list, and one with its differences."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from tillsync.api import pull_views
from tillsync.api.answers import ok, when
from tillsync.api.answers.drift import DriftDetails, DriftReports
from tillsync.api.connections import ProviderName, RunId
from tillsync.api.deps import CallerDep, HubDep
from tillsync.api.problems import problems
from tillsync.api.routing import KeyFirstRoute
from tillsync.bootstrap import Hub
from tillsync.services import runs
from tillsync.services.sync import drift

router = APIRouter(route_class=KeyFirstRoute, tags=["connections"])
PageNo = Annotated[int, Query(ge=1, le=100_000, description="Page, from 1")]
Limit = Annotated[int, Query(ge=1, le=500, description="Rows per page")]


@router.get(
    "/api/connections/{provider}/reports",
    summary="Drift reports of the provider's reconciliations, latest first",
    response_model=None,
    responses=ok(DriftReports) | problems({404: "No such provider"}),
)
async def reports(
    hub: HubDep, caller: CallerDep, provider: ProviderName, page: PageNo = 1, limit: Limit = 20
) -> dict[str, Any]:
    declared = hub.services.providers.get(provider)
    return await report_list(hub, caller.tenant_id, page, limit, provider=declared.name)


@router.get(
    "/api/connections/{provider}/reports/{report_id}",
    summary="One drift report with its differences (paged)",
    response_model=None,
    responses=ok(DriftDetails) | problems({404: "No such provider, or no such report of it"}),
)
async def report(
    hub: HubDep,
    caller: CallerDep,
    provider: ProviderName,
    report_id: RunId,
    *,
    page: PageNo = 1,
    limit: Limit = 100,
) -> dict[str, Any]:
    declared = hub.services.providers.get(provider)
    return await report_details(
        hub, caller.tenant_id, report_id, page, limit, provider=declared.name
    )


async def report_list(
    hub: Hub, tenant_id: str, page: int, limit: int, *, provider: str | None = None
) -> dict[str, Any]:
    async with hub.uows.read() as session:
        found, total = await drift.list_reports(
            session, tenant_id=tenant_id, page=page, limit=limit, provider=provider
        )
        counts = await runs.counts_of(session, [report.id for report in found])
    shown = [
        pull_views.counted(_summary(report), counts[report.id])
        for report in found
        if report.id in counts  # not swept away by retention meanwhile
    ]
    return {"reports": shown, "page": page, "limit": limit, "total": total}


async def report_details(
    hub: Hub,
    tenant_id: str,
    report_id: str,
    page: int,
    limit: int,
    *,
    provider: str | None = None,
    value_field: str = "providerValue",
) -> dict[str, Any]:
    """A report and a page of its differences; the seed's alias names the provider's value."""
    async with hub.uows.read() as session:
        found, items = await drift.one_report(
            session,
            tenant_id=tenant_id,
            report_id=report_id,
            page=page,
            limit=limit,
            provider=provider,
        )
        counts = await runs.counts_of(session, [report_id])
    shown = pull_views.counted(_summary(found), pull_views.one(counts, report_id, field="id"))
    differences = [_difference(item, value_field) for item in items]
    return {**shown, "items": differences, "page": page, "limit": limit}


def _summary(report: drift.Report) -> dict[str, Any]:
    return {
        "id": report.id,
        "type": report.type,
        "status": report.status,
        "driftFound": report.drift_found,
        "driftFixed": report.drift_fixed,
        "compared": report.compared,
        "itemsDeleted": report.items_deleted,
        "startedAt": report.started_at.isoformat(),
        "completedAt": when(report.completed_at),
        "durationMs": report.duration_ms,
        "error": report.error,
    }


def _difference(entry: drift.Entry, value_field: str) -> dict[str, Any]:
    return {
        "kind": entry.kind,
        "sku": entry.sku,
        "location": entry.location,
        "field": entry.field,
        "hubValue": entry.hub_value,
        value_field: entry.provider_value,
        "fixed": entry.fixed,
        "note": entry.note,
    }
