"""Whom a dashboard request is for: the session's tenant, its key looked up on every request."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from tillsync.api.deps import get_hub
from tillsync.bootstrap import Hub
from tillsync.dashboard.csrf import check_csrf
from tillsync.dashboard.sessions import COOKIE, PURPOSE, Session, SessionCookies
from tillsync.services.tenants import KeyHolder, find_key

SIGN_IN = "/sign-in"


class SignInNeeded(Exception):
    """No session, an old or forged one, or one whose key was revoked since."""


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in operator: their tenant (through the key they gave) and their session."""

    holder: KeyHolder
    session: Session
    stream_after: int = 0
    """On a page: the tenant's newest event before the page read anything. Its live stream
    starts there, so a change committed while the page was being read still reaches it."""

    @property
    def tenant_id(self) -> str:
        return self.holder.tenant_id


def cookies(hub: Hub) -> SessionCookies:
    secure = hub.settings.resolved_public_url.startswith("https://")
    return SessionCookies(hub.services.vault.derive(PURPOSE), hub.uows.clock, secure=secure)


def read_session(request: Request) -> Session | None:
    return cookies(get_hub(request)).loads(request.cookies.get(COOKIE))


async def current_viewer(request: Request) -> Viewer:
    """The session's key is looked up on every request: a revoked key signs its sessions out."""
    session = read_session(request)
    if session is None or session.key_id is None:
        raise SignInNeeded
    holder = await find_key(get_hub(request).uows, key_id=session.key_id)
    if holder is None or holder.tenant_id != session.tenant_id:
        raise SignInNeeded
    return Viewer(holder=holder, session=session)


ViewerDep = Annotated[Viewer, Depends(current_viewer)]


async def page_viewer(request: Request, viewer: ViewerDep) -> Viewer:
    """The viewer of a page, with where the page's live stream starts."""
    return replace(viewer, stream_after=await get_hub(request).feed.last_id(viewer.tenant_id))


PageViewerDep = Annotated[Viewer, Depends(page_viewer)]


async def acting_viewer(request: Request, viewer: ViewerDep) -> Viewer:
    """A signed-in operator whose action carries the session's CSRF token."""
    await check_csrf(request, viewer.session)
    return viewer


ActingViewerDep = Annotated[Viewer, Depends(acting_viewer)]


async def sign_in_needed(request: Request, _: Exception) -> Response:
    """Pages go to the sign-in form (htmx is told to go there); anything else gets a 401."""
    response: Response
    if request.headers.get("HX-Request"):
        response = Response(status_code=401, headers={"HX-Redirect": SIGN_IN})
    elif "text/html" in request.headers.get("Accept", ""):
        response = RedirectResponse(SIGN_IN, status_code=303)
    else:
        response = JSONResponse(
            {
                "error": "not_authenticated",
                "message": "session: sign in to the dashboard with the tenant's API key",
                "field": "session",
            },
            status_code=401,
        )
    cookies(get_hub(request)).clear(response)
    return response
