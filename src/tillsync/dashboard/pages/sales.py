"""Sales: recent POS sales with each delivery's state, a page per sale, and retrying a job.

Deliveries are settled by the worker, not by events of the live stream, so a list or a sale
with a delivery still under way polls its own section (htmx, every `POLL_SECONDS`) until
every delivery is settled; the stream still refreshes them on stock changes (a new sale's
hold, a warehouse report that counts a sale).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BeforeValidator

from tillsync.api.deps import HubDep
from tillsync.bootstrap import Hub
from tillsync.dashboard.auth import ActingViewerDep, PageViewerDep, Viewer, page_viewer
from tillsync.dashboard.rendering import Page, page, page_count
from tillsync.errors import Conflict, NotFound
from tillsync.excerpts import excerpt
from tillsync.jobs.admin import retry_failed
from tillsync.services.sale_deliveries import ROLE_WORDS, StateFilter, recent_sales
from tillsync.services.sale_detail import SaleDetail, sale_detail
from tillsync.services.tenants import Caller

PAGE = Page("Sales", "/sales")
PAGE_SIZE = 50
POLL_SECONDS = 2
FILTERS: dict[StateFilter, str] = {
    "failed": "Failed",
    "retrying": "Retrying",
    "under_way": "Under way",
    "done": "Done",
}
router = APIRouter(include_in_schema=False)


def _blank_is_none(value: object) -> object:
    """`?state=` (the "all" choice of a form) means no filter."""
    return None if value == "" else value


StateQuery = Annotated[StateFilter | None, BeforeValidator(_blank_is_none), Query()]
SaleId = Annotated[str, Path(min_length=1, max_length=200, description="The POS saleId")]
JobId = Annotated[str, Path(min_length=36, max_length=36, pattern=r"^[0-9a-f-]+$")]


def sale_path(reference: str) -> str:
    """A sale's page: its saleId as one path segment, whatever characters it has."""
    return f"{PAGE.path}/{quote(reference, safe='')}"


def until(when: dt.datetime | None, now: dt.datetime) -> str:
    """`in 4 s`, `in 3 min`, `in 2 h`; `due now` once the time has come."""
    if when is None:
        return "not scheduled"
    seconds = int((when - now).total_seconds())
    if seconds <= 0:
        return "due now"
    for unit, size in (("h", 3_600), ("min", 60)):
        if seconds >= size:
            return f"in {seconds // size} {unit}"
    return f"in {seconds} s"


def money(amount: Decimal, currency: str | None = None) -> str:
    return f"{amount:,.2f}" + (f" {currency}" if currency else "")


def _helpers(hub: Hub) -> dict[str, Any]:
    """What both templates call: paths, times, amounts, and each provider's title."""
    return {
        "sale_path": sale_path,
        "until": until,
        "money": money,
        "excerpt": excerpt,
        "roles": ROLE_WORDS,
        "titles": {provider.name: provider.title for provider in hub.services.providers},
        "poll_seconds": POLL_SECONDS,
    }


def _caller(viewer: Viewer) -> Caller:
    return Caller(tenant_id=viewer.tenant_id, default_location=viewer.holder.default_location)


@router.get(PAGE.path, response_class=HTMLResponse)
async def sales(
    request: Request,
    hub: HubDep,
    viewer: PageViewerDep,
    state: StateQuery = None,
    page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    found = await recent_sales(
        hub.uows,
        viewer.tenant_id,
        state=state,
        limit=PAGE_SIZE,
        offset=(page_number - 1) * PAGE_SIZE,
    )
    return await page(
        request,
        "sales.html",
        viewer,
        current=PAGE,
        found=found,
        state=state,
        filters=FILTERS,
        here=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        page_number=page_number,
        pages=page_count(found.total, PAGE_SIZE),
        **_helpers(hub),
    )


@router.get(PAGE.path + "/{sale_id:path}", response_class=HTMLResponse)
async def sale(
    request: Request,
    hub: HubDep,
    viewer: PageViewerDep,
    sale_id: SaleId,
    retried: Annotated[str | None, Query(max_length=36)] = None,
) -> HTMLResponse:
    try:
        detail = await sale_detail(hub.uows, _caller(viewer), sale_id)
    except NotFound as exc:
        return await _sale_page(request, hub, viewer, None, problem=exc.message, status=404)
    return await _sale_page(request, hub, viewer, detail, retried=retried)


@router.post(PAGE.path + "/{sale_id:path}/jobs/{job_id}/retry")
async def retry(
    request: Request, hub: HubDep, viewer: ActingViewerDep, sale_id: SaleId, job_id: JobId
) -> Response:
    """Put a failed delivery's job back in the queue; its page then shows it under way."""
    shown = await page_viewer(request, viewer)
    try:
        detail = await sale_detail(hub.uows, _caller(viewer), sale_id)
    except NotFound as exc:
        return await _sale_page(request, hub, shown, None, problem=exc.message, status=404)
    try:
        if not detail.carries(job_id):
            raise NotFound(f"no job {job_id} carries sale '{sale_id}'", field="job_id")
        await retry_failed(hub.uows, job_id, tenant_id=viewer.tenant_id)
    except NotFound as exc:
        return await _sale_page(request, hub, shown, detail, problem=exc.message, status=404)
    except Conflict as exc:
        return await _sale_page(request, hub, shown, detail, problem=exc.message, status=409)
    return RedirectResponse(f"{sale_path(sale_id)}?retried={job_id}", status_code=303)


async def _sale_page(
    request: Request,
    hub: Hub,
    viewer: Viewer,
    detail: SaleDetail | None,
    *,
    retried: str | None = None,
    problem: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    response = await page(
        request,
        "sale.html",
        viewer,
        current=PAGE,
        detail=detail,
        retried=retried if detail is not None and retried and detail.carries(retried) else None,
        problem=problem,
        **_helpers(hub),
    )
    response.status_code = status
    return response
