"""Square's OAuth endpoints: authorize (auto-approved), token, revoke, token status.

The emulator has no login page: `GET /oauth2/authorize` approves at once for the
merchant named by `merchant_id` (an emulator extension), else the one the
`authorizing_merchant_id` setting names (the seller who would sign in), else the first
merchant, unless the `deny_authorization` setting makes it answer `error=access_denied`.
"""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit

from starlette.responses import RedirectResponse, Response

from tillsync.emulators.square.errors import SquareError, invalid, missing, unauthorized
from tillsync.emulators.square.state import SquareState
from tillsync.emulators.square.tokens import DEFAULT_SCOPES
from tillsync.emulators.square.wire import text_field

GRANT_TYPES = ("authorization_code", "refresh_token")


def _utc_text(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def authorize(state: SquareState, query: Mapping[str, str]) -> Response:
    """Redirect to the app's `redirect_uri` with a code (or Square's denial) and `state`."""
    if query.get("client_id") != state.application.client_id:
        raise invalid("client_id", "The client_id is not valid.")
    redirect = query.get("redirect_uri", "")
    parts = urlsplit(redirect)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise invalid("redirect_uri", "A redirect_uri is required by the emulator.")
    echo = {"state": query["state"]} if "state" in query else {}
    if state.settings.deny_authorization:
        params = {"error": "access_denied", "error_description": "user_denied", **echo}
        return RedirectResponse(_join(redirect, params), status_code=302)
    merchant_id = (
        query.get("merchant_id")
        or state.settings.authorizing_merchant_id
        or next(iter(state.merchants), None)
    )
    if merchant_id is None or merchant_id not in state.merchants:
        raise invalid("merchant_id", "No merchant to authorize for.")
    scopes = tuple(query.get("scope", "").replace("+", " ").split()) or DEFAULT_SCOPES
    code = state.tokens.issue_code(
        merchant_id=merchant_id,
        scopes=scopes,
        redirect_uri=redirect if "redirect_uri" in query else None,
        expires_at=state.clock.now() + dt.timedelta(seconds=state.settings.code_lifetime_seconds),
    )
    params = {"code": code.code, "response_type": "code", **echo}
    return RedirectResponse(_join(redirect, params), status_code=302)


def obtain_token(state: SquareState, body: Mapping[str, Any]) -> dict[str, Any]:
    client_id = text_field(body, "client_id", field="client_id", max_length=191, required=True)
    secret = text_field(body, "client_secret", field="client_secret", max_length=1024)
    app = state.application
    if client_id != app.client_id or not hmac.compare_digest(
        (secret or "").encode(), app.client_secret.encode()
    ):
        raise unauthorized("UNAUTHORIZED", "Invalid client_id or client_secret.")
    grant_type = body.get("grant_type")
    if grant_type is None:
        raise missing("grant_type")
    if grant_type not in GRANT_TYPES:
        raise SquareError(
            "`grant_type` is not a valid value.", code="INVALID_ENUM_VALUE", field="grant_type"
        )
    now = state.clock.now()
    if grant_type == "authorization_code":
        code = text_field(body, "code", field="code", max_length=1024, required=True)
        assert code is not None
        redirect = body.get("redirect_uri")
        found = state.tokens.redeem_code(
            code, redirect_uri=None if redirect is None else str(redirect), now=now
        )
        grant = state.tokens.new_grant(found.merchant_id, found.scopes, refreshable=True)
    else:
        refresh = text_field(
            body, "refresh_token", field="refresh_token", max_length=1024, required=True
        )
        assert refresh is not None
        grant = state.tokens.grant_of_refresh(refresh)
    short = body.get("short_lived") is True
    settings = state.settings
    lifetime = (
        settings.short_lived_lifetime_seconds if short else (settings.access_token_lifetime_seconds)
    )
    access = state.tokens.issue(grant, expires_at=now + dt.timedelta(seconds=lifetime))
    return {
        "access_token": access.token,
        "token_type": "bearer",
        "expires_at": _utc_text(access.expires_at),
        "merchant_id": grant.merchant_id,
        "refresh_token": grant.refresh_token,
        "short_lived": short,
    }


def revoke(state: SquareState, authorization: str, body: Mapping[str, Any]) -> dict[str, Any]:
    """`Authorization: Client <secret>`; ends every token of the merchant for the app."""
    scheme, _, secret = authorization.partition(" ")
    app = state.application
    if scheme != "Client" or not hmac.compare_digest(secret.encode(), app.client_secret.encode()):
        raise unauthorized("UNAUTHORIZED", "The Authorization header must be `Client <secret>`.")
    if body.get("client_id") != app.client_id:
        raise invalid("client_id", "The client_id is not valid.")
    merchant_id = body.get("merchant_id")
    token = body.get("access_token")
    if token is not None:
        found = state.tokens.access.get(str(token))
        if found is None:
            raise invalid("access_token", "The access token is not valid.")
        merchant_id = found.grant.merchant_id
    if not merchant_id:
        raise missing("access_token")
    only_access = body.get("revoke_only_access_token") is True
    state.tokens.revoke_merchant(str(merchant_id), only_access=only_access)
    return {"success": True}


def token_status(state: SquareState, token: str) -> dict[str, Any]:
    access = state.tokens.check(token, now=state.clock.now())
    status: dict[str, Any] = {
        "scopes": list(access.grant.scopes),
        "client_id": state.application.client_id,
        "merchant_id": access.grant.merchant_id,
    }
    if access.expires_at is not None:
        status["expires_at"] = _utc_text(access.expires_at)
    return status


def _join(url: str, params: Mapping[str, str]) -> str:
    return url + ("&" if "?" in url else "?") + urlencode(params)
