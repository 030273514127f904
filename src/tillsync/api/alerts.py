"""GET /api/alerts: the tenant's inventory alerts, open ones by default."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import select

from tillsync.api.answers import ok
from tillsync.api.answers.notices import AlertList
from tillsync.api.deps import CallerDep, HubDep
from tillsync.api.routing import KeyFirstRoute
from tillsync.services.event_payloads import alert_payload
from tillsync.store.tables import Alert

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
    async with hub.uows.read() as session:
        rows = await session.scalars(
            select(Alert)
            .where(Alert.tenant_id == caller.tenant_id, Alert.resolved.is_(resolved))
            .order_by(Alert.created_at.desc(), Alert.id)
            .limit(limit)
        )
        return {"alerts": [alert_payload(alert) for alert in rows]}  # the stream's shape
