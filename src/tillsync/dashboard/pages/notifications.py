"""Notifications: what the hub told the seller (failing connections, jobs that gave up), newest
first, each marked read on its own or all at once."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from tillsync.api.deps import HubDep
from tillsync.dashboard.auth import ActingViewerDep, PageViewerDep
from tillsync.dashboard.rendering import Page, page
from tillsync.services import notices

PAGE = Page("Notifications", "/notifications", badge="unread_notifications")
SHOWN = 200
"""How many the page lists, newest first."""
router = APIRouter(include_in_schema=False)
NoticeId = Annotated[str, Path(min_length=1, max_length=64)]
Filter = Literal["all", "unread"]


def _back(show: Filter) -> RedirectResponse:
    """After an action, the list as it was filtered (a plain form follows; htmx swaps it)."""
    where = PAGE.path if show == "all" else f"{PAGE.path}?show={show}"
    return RedirectResponse(where, status_code=303)


@router.get(PAGE.path, response_class=HTMLResponse)
async def notifications(
    request: Request,
    hub: HubDep,
    viewer: PageViewerDep,
    show: Annotated[Filter, Query(description="all, or unread only")] = "all",
) -> HTMLResponse:
    return await page(
        request,
        "notifications.html",
        viewer,
        current=PAGE,
        show=show,
        notices=await notices.list_notices(
            hub.uows, viewer.tenant_id, unread=True if show == "unread" else None, limit=SHOWN
        ),
    )


@router.post(f"{PAGE.path}/read-all")
async def mark_all_read(
    hub: HubDep, viewer: ActingViewerDep, show: Annotated[Filter, Query()] = "all"
) -> RedirectResponse:
    await notices.mark_all_read(hub.uows, viewer.tenant_id)
    return _back(show)


@router.post(PAGE.path + "/{notice_id}/read")
async def mark_read(
    hub: HubDep,
    viewer: ActingViewerDep,
    notice_id: NoticeId,
    show: Annotated[Filter, Query()] = "all",
) -> RedirectResponse:
    """Another tenant's notification is not found (404), as one that never was."""
    await notices.mark_read(hub.uows, viewer.tenant_id, notice_id)
    return _back(show)
