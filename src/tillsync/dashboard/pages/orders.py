"""Orders: the ordering app's orders with their sync to the POS, a page per order, sync now.

An order's pushes are settled by the worker, so a list or an order still under way polls
its own section (htmx) until settled. Orders get a page of their own rather than rows on
the Sales page: an order placed with stocked items is also recorded as a sale (and listed
there with its deliveries), and what an order shows differs (its POS order id and state).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tillsync.api.deps import HubDep
from tillsync.bootstrap import Hub
from tillsync.dashboard.auth import ActingViewerDep, PageViewerDep, Viewer, page_viewer
from tillsync.dashboard.pages.sales import money, until
from tillsync.dashboard.rendering import Page, page, page_count
from tillsync.errors import Conflict, NotFound
from tillsync.excerpts import excerpt
from tillsync.services.order_list import OrderDetail, order_detail, recent_orders
from tillsync.services.pos_sync import sync_order
from tillsync.services.tenants import Caller

PAGE = Page("Orders", "/orders")
PAGE_SIZE = 25
POLL_SECONDS = 2
SYNC_WORDS = {
    "not_synced": "Not synced",
    "pending": "Queued",
    "syncing": "Syncing",
    "retry": "Retrying",
    "success": "Synced",
    "failed": "Failed",
}
router = APIRouter(include_in_schema=False)
OrderId = Annotated[str, Path(min_length=1, max_length=200, description="The app's order_id")]
Outcome = Annotated[str | None, Query(pattern=r"^(queued|already)$")]


def order_path(order_id: str) -> str:
    return f"{PAGE.path}/{quote(order_id, safe='')}"


def _helpers(hub: Hub) -> dict[str, Any]:
    return {
        "order_path": order_path,
        "until": until,
        "money": money,
        "excerpt": excerpt,
        "sync_words": SYNC_WORDS,
        "titles": {provider.name: provider.title for provider in hub.services.providers},
        "poll_seconds": POLL_SECONDS,
    }


@router.get(PAGE.path, response_class=HTMLResponse)
async def orders(
    request: Request,
    hub: HubDep,
    viewer: PageViewerDep,
    page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    found = await recent_orders(
        hub.uows, viewer.tenant_id, limit=PAGE_SIZE, offset=(page_number - 1) * PAGE_SIZE
    )
    return await page(
        request,
        "orders.html",
        viewer,
        current=PAGE,
        found=found,
        here=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        page_number=page_number,
        pages=page_count(found.total, PAGE_SIZE),
        **_helpers(hub),
    )


@router.get(PAGE.path + "/{order_id:path}", response_class=HTMLResponse)
async def order(
    request: Request, hub: HubDep, viewer: PageViewerDep, order_id: OrderId, synced: Outcome = None
) -> HTMLResponse:
    try:
        detail = await order_detail(hub.uows, viewer.tenant_id, order_id)
    except NotFound as exc:
        return await _order_page(request, hub, viewer, None, problem=exc.message, status=404)
    return await _order_page(request, hub, viewer, detail, synced=synced)


@router.post(PAGE.path + "/{order_id:path}/sync")
async def sync(
    request: Request, hub: HubDep, viewer: ActingViewerDep, order_id: OrderId
) -> Response:
    """Sync the order now (`POST /api/v1/pos/sync/{orderId}`): an order the POS has is not
    sent again, the page says so."""
    caller = Caller(tenant_id=viewer.tenant_id, default_location=viewer.holder.default_location)
    try:
        done = await sync_order(hub.uows, caller, order_id)
    except (NotFound, Conflict) as exc:
        shown = await page_viewer(request, viewer)
        status = 404 if isinstance(exc, NotFound) else 409
        try:
            detail: OrderDetail | None = await order_detail(hub.uows, viewer.tenant_id, order_id)
        except NotFound:
            detail = None
        return await _order_page(request, hub, shown, detail, problem=exc.message, status=status)
    outcome = "already" if done.already_synced else "queued"
    return RedirectResponse(f"{order_path(order_id)}?synced={outcome}", status_code=303)


async def _order_page(
    request: Request,
    hub: Hub,
    viewer: Viewer,
    detail: OrderDetail | None,
    *,
    synced: str | None = None,
    problem: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    response = await page(
        request,
        "order.html",
        viewer,
        current=PAGE,
        detail=detail,
        synced=synced if detail is not None else None,
        problem=problem,
        **_helpers(hub),
    )
    response.status_code = status
    return response
