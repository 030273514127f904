"""Syncs: each warehouse connection's panel (seed 002) with its buttons, runs and drift reports.

A pull's progress is not an event of the live stream (it is the job's checkpoint, not a
change of stock or alerts), so a panel with a pull under way polls its own section, once a
second, until the pull ends.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tillsync.api.connections import ProviderName, RunId
from tillsync.api.deps import HubDep
from tillsync.bootstrap import Hub
from tillsync.connectors.contract import Provider
from tillsync.dashboard.auth import ActingViewerDep, PageViewerDep, Viewer
from tillsync.dashboard.rendering import Page, page, page_count
from tillsync.errors import NotFound
from tillsync.services.sync import drift, pulls
from tillsync.services.sync.status import ConnectionSyncs, connection_syncs, tenant_syncs

PAGE = Page("Syncs", "/syncs")
REPORTS_PER_PAGE = 20
DIFFERENCES_PER_PAGE = 100
PageNumber = Annotated[int, Query(alias="page", ge=1, le=100_000)]
router = APIRouter(include_in_schema=False)


@dataclass(frozen=True, slots=True)
class Button:
    mode: str
    """The pull mode it asks for, as `POST /api/connections/{provider}/sync` takes it."""
    label: str
    help: str


BUTTONS = (
    Button("quick", "Smart sync", "A quick sync: what changed since the last sync"),
    Button("full", "Force sync", "A full sync: every product and stock row, whatever their age"),
    Button("reconcile", "Reconcile", "A full sync that also reports every difference it repairs"),
)
BUTTON_TITLES = {button.mode: button.label for button in BUTTONS}
PULL_TITLES = {"quick": "Quick sync", "full": "Full sync", "reconcile": "Reconciliation"}
"""What ran, whoever asked (a button, the schedule, the watchdog)."""
PHASE_TITLES = {
    "products": "reading products",
    "stock": "reading stock",
    "apply": "applying",
    "sales": "catching up on sales",
    "webhooks": "checking webhooks",
    "done": "finishing",
}
ENTITY_TITLES = {
    "catalog": "Products and stock",
    "reconciliation": "Reconciliation",
    "stock": "Stock (webhooks)",
    "products": "Products (webhooks)",
    "sale": "Sales (webhooks)",
}


@dataclass(frozen=True, slots=True)
class Refusal:
    """A button refused: which connection's, and why."""

    provider: str
    message: str


def puller(hub: Hub, name: str) -> Provider:
    """A provider of the registry that pulls (a warehouse); any other name is not found."""
    declared = hub.services.providers.get(name)
    if declared.name not in pulls.warehouses(hub.services.providers):
        raise NotFound(f"{declared.title} has nothing to pull", field="provider")
    return declared


async def _render(
    request: Request,
    hub: Hub,
    viewer: Viewer,
    panels: list[ConnectionSyncs],
    *,
    single: bool = False,
    refusal: Refusal | None = None,
    status: int = 200,
) -> HTMLResponse:
    shown = {panel.provider for panel in panels}
    return await page(
        request,
        "syncs.html",
        viewer,
        current=PAGE,
        status=status,
        panels=panels,
        single=single,
        refusal=refusal,
        buttons=BUTTONS,
        pull_titles=PULL_TITLES,
        phase_titles=PHASE_TITLES,
        entity_titles=ENTITY_TITLES,
        titles={provider.name: provider.title for provider in hub.services.providers},
        unconnected=[] if single else [p for p in _pullers(hub) if p.name not in shown],
    )


def _pullers(hub: Hub) -> list[Provider]:
    return [hub.services.providers.get(name) for name in pulls.warehouses(hub.services.providers)]


async def _one(hub: Hub, viewer: Viewer, declared: Provider) -> ConnectionSyncs:
    found = await connection_syncs(
        hub.services, tenant_id=viewer.tenant_id, provider=declared.name, now=hub.uows.clock.now()
    )
    if found is None:
        raise NotFound(f"{declared.title} is not connected for this tenant", field="provider")
    return found


@router.get(PAGE.path, response_class=HTMLResponse)
async def syncs(request: Request, hub: HubDep, viewer: PageViewerDep) -> HTMLResponse:
    now = hub.uows.clock.now()
    panels = await tenant_syncs(hub.services, viewer.tenant_id, now=now)
    return await _render(request, hub, viewer, panels)


@router.get(PAGE.path + "/{provider}", response_class=HTMLResponse)
async def connection(
    request: Request, hub: HubDep, viewer: PageViewerDep, provider: ProviderName
) -> HTMLResponse:
    """One connection's panel: its own page, and what a panel polls while a pull runs."""
    found = await _one(hub, viewer, puller(hub, provider))
    return await _render(request, hub, viewer, [found], single=True)


@router.post(PAGE.path + "/{provider}/sync")
async def start(
    request: Request,
    hub: HubDep,
    viewer: ActingViewerDep,
    provider: ProviderName,
    mode: Annotated[Literal["quick", "full", "reconcile"], Form()],
) -> Response:
    """Queue a pull as `POST /api/connections/{provider}/sync` does, refused as it is (409)
    while one of the same mode is queued or running; then show the connection's panel."""
    declared = puller(hub, provider)
    try:
        await pulls.request_pull(
            hub.services, tenant_id=viewer.tenant_id, mode=mode, provider=declared.name
        )
    except pulls.PullInProgress as busy:
        shown = replace(viewer, stream_after=await hub.feed.last_id(viewer.tenant_id))
        refusal = Refusal(declared.name, f"{BUTTON_TITLES[mode]} refused: {busy.message}.")
        found = await _one(hub, shown, declared)
        return await _render(request, hub, shown, [found], single=True, refusal=refusal, status=409)
    return RedirectResponse(f"{PAGE.path}/{declared.name}", status_code=303)


@router.get(PAGE.path + "/{provider}/reports", response_class=HTMLResponse)
async def reports(
    request: Request,
    hub: HubDep,
    viewer: PageViewerDep,
    provider: ProviderName,
    page_number: PageNumber = 1,
) -> HTMLResponse:
    declared = puller(hub, provider)
    async with hub.uows.read() as session:
        found, total = await drift.list_reports(
            session,
            tenant_id=viewer.tenant_id,
            page=page_number,
            limit=REPORTS_PER_PAGE,
            provider=declared.name,
        )
    return await page(
        request,
        "drift_reports.html",
        viewer,
        current=PAGE,
        provider=declared,
        reports=found,
        total=total,
        page_number=page_number,
        pages=page_count(total, REPORTS_PER_PAGE),
    )


@router.get(PAGE.path + "/{provider}/reports/{report_id}", response_class=HTMLResponse)
async def report(
    request: Request,
    hub: HubDep,
    viewer: PageViewerDep,
    provider: ProviderName,
    report_id: RunId,
    *,
    page_number: PageNumber = 1,
) -> HTMLResponse:
    """A report and a page of its differences; another tenant's report is not found."""
    declared = puller(hub, provider)
    async with hub.uows.read() as session:
        found, differences = await drift.one_report(
            session,
            tenant_id=viewer.tenant_id,
            report_id=report_id,
            page=page_number,
            limit=DIFFERENCES_PER_PAGE,
            provider=declared.name,
        )
    return await page(
        request,
        "drift_report.html",
        viewer,
        current=PAGE,
        provider=declared,
        report=found,
        differences=differences,
        page_number=page_number,
        pages=page_count(found.drift_found, DIFFERENCES_PER_PAGE),
    )
