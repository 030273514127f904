"""Zoho's accounts server: authorize (auto-approved), token (code and refresh grants), revoke.

The emulator has no login page: `GET /oauth/v2/auth` approves at once for the account
named by `account_id` (an emulator extension) or the first account, unless the
`deny_authorization` setting makes it answer `error=access_denied`. The token endpoint
takes its parameters from the query string (as Zoho's docs show) or a form body (as
clients send them). Refusals are HTTP 200 `{"error": ...}`, except the refresh throttle.
"""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit

from starlette.responses import RedirectResponse, Response

from tillsync.emulators.zoho.errors import AccountsError
from tillsync.emulators.zoho.state import ALL_SCOPES, ZohoState

THROTTLE_DESCRIPTION = (
    "You have made too many requests continuously. Please try again after some time."
)


def authorize(state: ZohoState, query: Mapping[str, str], *, server: str) -> Response:
    """Redirect to `redirect_uri` with `code`, `location`, `accounts-server` and `state`."""
    if query.get("client_id") != state.application.client_id:
        raise AccountsError("invalid_client", status=400)
    redirect = query.get("redirect_uri", "")
    parts = urlsplit(redirect)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise AccountsError("invalid_redirect_uri", status=400)
    if query.get("response_type") != "code":
        raise AccountsError("unsupported_response_type", status=400)
    echo = {"state": query["state"]} if "state" in query else {}
    if state.settings.deny_authorization:
        return _redirect(redirect, {"error": "access_denied", **echo})
    account_id = query.get("account_id") or next(iter(state.accounts), None)
    if account_id is None or account_id not in state.accounts:
        raise AccountsError("invalid_account", status=400)
    scopes = tuple(s for s in query.get("scope", "").split(",") if s) or ALL_SCOPES
    lifetime = dt.timedelta(seconds=state.settings.code_lifetime_seconds)
    code = state.tokens.issue_code(
        account_id=account_id,
        scopes=scopes,
        redirect_uri=redirect,
        expires_at=state.clock.now() + lifetime,
    )
    params = {
        "code": code.code,
        "location": state.settings.location,
        "accounts-server": server,
        **echo,
    }
    return _redirect(redirect, params)


def obtain_token(state: ZohoState, params: Mapping[str, str], *, api_domain: str) -> dict[str, Any]:
    app = state.application
    secret = params.get("client_secret", "")
    if params.get("client_id") != app.client_id or not hmac.compare_digest(
        secret.encode(), app.client_secret.encode()
    ):
        raise AccountsError("invalid_client")
    grant_type = params.get("grant_type")
    now = state.clock.now()
    settings = state.settings
    if grant_type == "authorization_code":
        found = state.tokens.redeem_code(
            params.get("code", ""), redirect_uri=params.get("redirect_uri"), now=now
        )
        grant = state.tokens.new_grant(found.account_id, found.scopes, refreshable=True)
    elif grant_type == "refresh_token":
        grant = state.tokens.grant_of_refresh(params.get("refresh_token", ""))
        if not state.tokens.refresh_allowed(
            grant,
            now=now,
            limit=settings.refresh_limit,
            window_seconds=settings.refresh_window_seconds,
        ):
            raise AccountsError(
                "Access Denied",
                status=400,
                details={"error_description": THROTTLE_DESCRIPTION, "status": "failure"},
            )
    else:
        raise AccountsError("unsupported_grant_type")
    lifetime = settings.access_token_lifetime_seconds
    access = state.tokens.issue(grant, expires_at=now + dt.timedelta(seconds=lifetime))
    answer: dict[str, Any] = {"access_token": access.token}
    if grant_type == "authorization_code":
        answer["refresh_token"] = grant.refresh_token
    answer.update(
        {
            "scope": ",".join(grant.scopes),
            "api_domain": api_domain,
            "token_type": "Bearer",
            "expires_in": int(lifetime),
        }
    )
    return answer


def revoke(state: ZohoState, params: Mapping[str, str]) -> dict[str, Any]:
    """`token` is a refresh token (ends its grant) or an access token (ends alone)."""
    if not state.tokens.revoke(params.get("token", "")):
        raise AccountsError("invalid_token")
    return {"status": "success"}


def _redirect(url: str, params: Mapping[str, str]) -> Response:
    return RedirectResponse(url + ("&" if "?" in url else "?") + urlencode(params), 302)
