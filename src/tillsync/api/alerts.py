"""GET /api/alerts: the tenant's inventory alerts, open ones by default."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query

from tillsync.api.answers import ok
from tillsync.api.answers.notices import AlertList
from tillsync.api.deps import CallerDep, HubDep
from tillsync.api.routing import KeyFirstRoute
from tillsync.services.alerts import list_alerts as alerts_of
from tillsync.services.event_payloads import alert_payload

router = APIRouter(route_class=KeyFirstRoute, tags=["alerts"])


@router.get(
    "/api/alerts",
    summary="Inventory alerts (out of stock, low stock)",
    response_model=None,
    responses=ok(AlertList),
)
async def list_alerts(
    hub: HubDep,
    caller: CallerDep,
    resolved: Annotated[bool, Query()] = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> dict[str, Any]:
    found = await alerts_of(hub.uows, caller.tenant_id, resolved=resolved, limit=limit)
    return {"alerts": [alert_payload(asdict(alert)) for alert in found]}  # the stream's shape
