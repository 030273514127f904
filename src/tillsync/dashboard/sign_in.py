"""The sign-in form, which exchanges the tenant's API key for a session; and signing out."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tillsync.api.deps import HubDep, get_hub
from tillsync.dashboard.auth import SIGN_IN, SignInNeeded, cookies, current_viewer, read_session
from tillsync.dashboard.csrf import check_csrf
from tillsync.dashboard.rendering import render
from tillsync.dashboard.sessions import Session, fresh
from tillsync.services.tenants import find_key

router = APIRouter(include_in_schema=False)
MAX_KEY_LENGTH = 200


def _form(request: Request, session: Session, *, error: str | None, status: int) -> HTMLResponse:
    response = render(request, "sign_in.html", csrf=session.csrf, error=error, status=status)
    cookies(get_hub(request)).write(response, session)
    return response


@router.get(SIGN_IN)
async def sign_in_form(request: Request, hub: HubDep) -> Response:
    session = read_session(request)
    if session is not None and session.signed_in:
        try:
            await current_viewer(request)
            return RedirectResponse("/", status_code=303)
        except SignInNeeded:
            session = None
    return _form(request, session or fresh(hub.uows.clock.now()), error=None, status=200)


@router.post(SIGN_IN)
async def sign_in(request: Request, hub: HubDep) -> Response:
    session = read_session(request)
    await check_csrf(request, session)
    assert session is not None  # the CSRF check refuses a post without a session
    key = (await request.form()).get("api_key")
    if not isinstance(key, str) or not key.strip():
        return _form(request, session, error="api_key: is required", status=422)
    if len(key) > MAX_KEY_LENGTH:
        return _form(request, session, error="api_key: is not a tillsync key", status=422)
    holder = await find_key(hub.uows, key=key)
    if holder is None:
        return _form(
            request, session, error="api_key: this key is unknown or was revoked", status=401
        )
    signed_in = session.signing_in(
        tenant_id=holder.tenant_id, key_id=holder.key_id, now=hub.uows.clock.now()
    )
    response = RedirectResponse("/", status_code=303)
    cookies(hub).write(response, signed_in)
    return response


@router.post("/sign-out")
async def sign_out(request: Request, hub: HubDep) -> Response:
    session = read_session(request)
    if session is not None:
        await check_csrf(request, session)
    response = RedirectResponse(SIGN_IN, status_code=303)
    cookies(hub).clear(response)
    return response
