"""GET /api/cin7/health: the CIN7 connection's state, remembered 30 s per tenant (seed 001)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from tillsync.api.answers import ok
from tillsync.api.answers.connections import ConnectionHealth, connection_health_json
from tillsync.api.deps import CallerDep, HubDep
from tillsync.api.routing import KeyFirstRoute
from tillsync.api.state import health_cache

router = APIRouter(route_class=KeyFirstRoute, tags=["cin7"])


@router.get(
    "/api/cin7/health",
    summary="Connection status, last sync, webhooks, rate-limit use and jobs (cached 30 s)",
    response_model=None,
    responses=ok(ConnectionHealth),
)
async def health(hub: HubDep, caller: CallerDep, request: Request) -> dict[str, Any]:
    shown = await health_cache(request, "cin7").get(hub.services, caller.tenant_id)
    return connection_health_json(shown)
