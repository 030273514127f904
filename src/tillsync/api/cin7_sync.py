"""CIN7 pulls on request (seed 001's sync and quick sync, and reconciliation) and drift reports."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from tillsync.api import drift_reports, pull_views
from tillsync.api.answers import ok
from tillsync.api.answers.cin7_pulls import DriftReport, DriftReports
from tillsync.api.answers.pulls import PullProgress, PullQueued
from tillsync.api.connections import RunId
from tillsync.api.deps import CallerDep, HubDep
from tillsync.api.drift_reports import Limit, PageNo
from tillsync.api.problems import PullConflict, problems
from tillsync.api.routing import KeyFirstRoute
from tillsync.services.sync import pulls
from tillsync.services.sync.progress import pull_progress

router = APIRouter(route_class=KeyFirstRoute, tags=["cin7"])
_QUEUED = ok(PullQueued, status=202, description="Queued; follow it at /api/cin7/sync/{runId}") | {
    404: {"description": "CIN7 is not connected for this tenant"},
    409: {
        "model": PullConflict,
        "description": "One of the same kind is queued or running; `runId` names it",
    },
}


def _queue(mode: str) -> Callable[[HubDep, CallerDep], Awaitable[JSONResponse]]:
    async def queue(hub: HubDep, caller: CallerDep) -> JSONResponse:
        queued = await pulls.request_pull(hub.services, tenant_id=caller.tenant_id, mode=mode)
        return pull_views.queued(queued)

    return queue


for _path, _name, _mode, _summary in (
    (
        "/api/cin7/sync",
        "full_sync",
        "full",
        "Queue a full sync of products and stock (every page, no page cap)",
    ),
    (
        "/api/cin7/quick-sync",
        "quick_sync",
        "quick",
        "Queue a sync of what changed at CIN7 since the last successful one",
    ),
    (
        "/api/cin7/reconcile",
        "reconcile",
        "reconcile",
        "Queue a reconciliation: compare every SKU and location, repair, report drift",
    ),
):
    router.add_api_route(
        _path,
        _queue(_mode),
        methods=["POST"],
        name=_name,
        status_code=202,
        response_model=None,
        responses=_QUEUED,
        summary=_summary,
    )


@router.get(
    "/api/cin7/sync/{run_id}",
    summary="A pull's run and its progress (pages done / total)",
    response_model=None,
    responses=ok(PullProgress) | problems({404: "No pull run with this id"}),
)
async def progress(hub: HubDep, caller: CallerDep, run_id: RunId) -> dict[str, Any]:
    view = await pull_progress(hub.services, tenant_id=caller.tenant_id, run_id=run_id)
    return await pull_views.progress_answer(hub, view)


@router.get(
    "/api/cin7/reconcile/reports",
    summary="Drift reports, latest first",
    response_model=None,
    responses=ok(DriftReports),
)
async def reports(
    hub: HubDep, caller: CallerDep, page: PageNo = 1, limit: Limit = 20
) -> dict[str, Any]:
    return await drift_reports.report_list(hub, caller.tenant_id, page, limit)


@router.get(
    "/api/cin7/reconcile/reports/{report_id}",
    summary="One drift report with its differences (paged)",
    response_model=None,
    responses=ok(DriftReport) | problems({404: "No drift report with this id"}),
)
async def report(
    hub: HubDep, caller: CallerDep, report_id: RunId, page: PageNo = 1, limit: Limit = 100
) -> dict[str, Any]:
    return await drift_reports.report_details(
        hub, caller.tenant_id, report_id, page, limit, value_field="cin7Value"
    )
