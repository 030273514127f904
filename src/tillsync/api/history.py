"""Sync history and statistics: seed 004's /api/v1/pos paths, dashboard stats, one sale's jobs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BeforeValidator

from tillsync.api.answers import ok
from tillsync.api.answers.history import (
    ConnectionStatsList,
    SyncHistory,
    SyncStatsAnswer,
    connection_stats_json,
    sale_history_json,
    sync_log_page_json,
    sync_stats_json,
)
from tillsync.api.answers.sales import SaleHistory
from tillsync.api.deps import CallerDep, HubDep
from tillsync.api.problems import problems
from tillsync.api.routing import KeyFirstRoute
from tillsync.api.sales import NO_SALE, SaleId
from tillsync.jobs.states import JobState
from tillsync.services import history, stats

router = APIRouter(route_class=KeyFirstRoute, tags=["history"])
OTHER_BUSINESS = {404: "Not the caller's business (its tenant id)"}
BusinessId = Annotated[str, Path(description="The caller's tenant id")]


def _blank_is_none(value: object) -> object:
    """`?status=` (as clients that build the query string send it) means no filter."""
    return None if value == "" else value


StatusFilter = Annotated[
    JobState | None,
    BeforeValidator(_blank_is_none),
    Query(description="Only logs shown with this status; `batched`: jobs handed to a batch"),
]


@router.get(
    "/api/v1/pos/history/{business_id}",
    summary="Sync history: one log per job, newest first",
    response_model=None,
    responses=ok(SyncHistory) | problems(OTHER_BUSINESS),
)
async def sync_history(
    hub: HubDep,
    caller: CallerDep,
    *,
    business_id: BusinessId,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    status: StatusFilter = None,
) -> dict[str, Any]:
    history.check_business(caller, business_id)
    page = await history.sync_logs(
        hub.uows, caller.tenant_id, status=status, limit=limit, offset=offset
    )
    return {"success": True, "data": sync_log_page_json(page)}


@router.get(
    "/api/v1/pos/stats/{business_id}",
    summary="Sync statistics of the business",
    response_model=None,
    responses=ok(SyncStatsAnswer) | problems(OTHER_BUSINESS),
)
async def sync_stats(hub: HubDep, caller: CallerDep, business_id: BusinessId) -> dict[str, Any]:
    history.check_business(caller, business_id)
    counted = await stats.sync_stats(hub.uows, caller.tenant_id)
    return {"success": True, "data": {"stats": sync_stats_json(counted)}}


@router.get(
    "/api/connections/stats",
    summary="Each connection's health and job counts",
    response_model=None,
    responses=ok(ConnectionStatsList),
)
async def connection_stats(hub: HubDep, caller: CallerDep) -> dict[str, Any]:
    rows = await stats.connection_stats(hub.uows, caller.tenant_id)
    return {"connections": [connection_stats_json(row) for row in rows]}


@router.get(
    "/api/sales/{sale_id:path}/history",
    summary="One POS sale (by its saleId) and every job that carries it, with their attempts",
    response_model=None,
    responses=ok(SaleHistory) | problems(NO_SALE),
)
async def sale_history(hub: HubDep, caller: CallerDep, sale_id: SaleId) -> dict[str, Any]:
    return sale_history_json(await history.sale_history(hub.uows, caller, sale_id))
