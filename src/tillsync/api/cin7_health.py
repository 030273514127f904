"""GET /api/cin7/health: the CIN7 connection's state, remembered 30 s per tenant (seed 001)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from tillsync.api.answers import ok
from tillsync.api.answers.cin7 import Cin7Health
from tillsync.api.deps import CallerDep, HubDep
from tillsync.api.routing import KeyFirstRoute
from tillsync.services.connections.health import HealthCache

router = APIRouter(route_class=KeyFirstRoute, tags=["cin7"])


@router.get(
    "/api/cin7/health",
    summary="Connection status, last sync, webhooks, rate-limit use and jobs (cached 30 s)",
    response_model=None,
    responses=ok(Cin7Health),
)
async def health(hub: HubDep, caller: CallerDep, request: Request) -> dict[str, Any]:
    cache: HealthCache = request.app.state.cin7_health
    return await cache.get(hub.services, caller.tenant_id)
