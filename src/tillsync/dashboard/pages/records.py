"""Records: a panel for each connection whose provider keeps records (seed 002's sync panel):
each entity's age, Smart and Force sync, syncs under way, failures, the latest webhooks.

While a sync is queued or running the panel's state fetches itself again every second, as
the warehouse panels do: a run's progress is not an event of the live stream.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tillsync.api.connections import ProviderName
from tillsync.api.deps import HubDep
from tillsync.bootstrap import Hub
from tillsync.connectors.contract import Provider
from tillsync.dashboard.auth import ActingViewerDep, PageViewerDep, Viewer
from tillsync.dashboard.rendering import Page, page
from tillsync.errors import NotFound
from tillsync.services.record_freshness import FRESH_FOR, sync_by_freshness
from tillsync.services.record_panel import RecordPanel, keepers, record_panels
from tillsync.services.record_sync import RecordSyncInProgress

PAGE = Page("Records", "/records")
router = APIRouter(include_in_schema=False)
MODES = {"smart": "Smart sync", "force": "Force sync"}


def keeper(hub: Hub, name: str) -> Provider:
    declared = hub.services.providers.get(name)
    if not declared.record_entities:
        raise NotFound(f"{declared.title} keeps no records", field="provider")
    return declared


async def _render(
    request: Request,
    hub: Hub,
    viewer: Viewer,
    panels: list[RecordPanel],
    *,
    single: bool = False,
    refusal: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    shown = {panel.provider.name for panel in panels}
    return await page(
        request,
        "records.html",
        viewer,
        current=PAGE,
        status=status,
        panels=panels,
        single=single,
        refusal=refusal,
        modes=MODES,
        fresh_hours=int(FRESH_FOR.total_seconds() // 3600),
        unconnected=[] if single else [p for p in keepers(hub.services) if p.name not in shown],
    )


@router.get(PAGE.path, response_class=HTMLResponse)
async def records(request: Request, hub: HubDep, viewer: PageViewerDep) -> HTMLResponse:
    panels = await record_panels(hub.services, viewer.tenant_id)
    return await _render(request, hub, viewer, panels)


@router.get(PAGE.path + "/{provider}", response_class=HTMLResponse)
async def connection(
    request: Request, hub: HubDep, viewer: PageViewerDep, provider: ProviderName
) -> HTMLResponse:
    declared = keeper(hub, provider)
    panels = await record_panels(hub.services, viewer.tenant_id, provider=declared.name)
    if not panels:
        raise NotFound(f"{declared.title} is not connected for this tenant", field="provider")
    return await _render(request, hub, viewer, panels, single=True)


@router.post(PAGE.path + "/{provider}/sync")
async def start(
    request: Request,
    hub: HubDep,
    viewer: ActingViewerDep,
    provider: ProviderName,
    mode: Annotated[Literal["smart", "force"], Form()],
) -> Response:
    """Every entity: the stale ones (Smart) or all (Force), as `POST …/sync` of the seed does;
    refused while one of them is queued or running."""
    declared = keeper(hub, provider)
    try:
        await sync_by_freshness(
            hub.services,
            tenant_id=viewer.tenant_id,
            provider=declared.name,
            entities=None,
            force=mode == "force",
        )
    except RecordSyncInProgress as busy:
        panels = await record_panels(hub.services, viewer.tenant_id, provider=declared.name)
        refusal = f"{MODES[mode]} refused: {busy.message}."
        return await _render(request, hub, viewer, panels, single=True, refusal=refusal, status=409)
    return RedirectResponse(f"{PAGE.path}/{declared.name}", status_code=303)
