"""Alerts: the open ones and their history, refreshed live as alerts are raised and resolved."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from tillsync.api.deps import HubDep
from tillsync.dashboard.auth import PageViewerDep
from tillsync.dashboard.rendering import Page, page
from tillsync.services.alerts import list_alerts

PAGE = Page("Alerts", "/alerts", badge="open_alerts")
HISTORY = 100
"""How many resolved alerts the page shows, newest first."""
router = APIRouter(include_in_schema=False)


@router.get(PAGE.path, response_class=HTMLResponse)
async def alerts(request: Request, hub: HubDep, viewer: PageViewerDep) -> HTMLResponse:
    return await page(
        request,
        "alerts.html",
        viewer,
        current=PAGE,
        open=await list_alerts(hub.uows, viewer.tenant_id, resolved=False, limit=1000),
        history=await list_alerts(hub.uows, viewer.tenant_id, resolved=True, limit=HISTORY),
    )
