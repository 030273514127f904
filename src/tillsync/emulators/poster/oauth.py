"""Poster's OAuth: the authorize redirect (approved at once) and the code exchange.

`GET /api/auth` takes `application_id` (the Russian docs) or `client_id` (the English
docs and the PHP SDK) and redirects to `redirect_uri?code=…&account=…`, echoing `state`
when given (GUESS: Poster's docs do not mention it). It approves at once for the account
named by `account` (an emulator extension) or the first one, unless the
`deny_authorization` setting makes it redirect with `error=access_denied`.

The exchange (`POST /api/v2/auth/access_token`, form data; also `/api/auth/access_token`
as the PHP SDK calls it) takes `application_id`/`application_secret` or
`client_id`/`client_secret` on either path. It installs the application on the account:
from then on the account's changes are sent as webhooks.
"""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit

from starlette.responses import RedirectResponse, Response

from tillsync.emulators.poster.errors import (
    BAD_APPLICATION,
    BAD_REQUEST,
    AuthError,
    PosterError,
)
from tillsync.emulators.poster.state import USER_ID, PosterState

OWNER_ROLE = 3


def authorize(state: PosterState, query: Mapping[str, str]) -> Response:
    app = state.application
    if (query.get("application_id") or query.get("client_id")) != app.application_id:
        raise PosterError(BAD_APPLICATION, "Bad application_id", status=400)
    redirect = query.get("redirect_uri", "")
    parts = urlsplit(redirect)
    wrong = app.redirect_uri is not None and redirect != app.redirect_uri
    if parts.scheme not in ("http", "https") or not parts.netloc or wrong:
        raise PosterError(BAD_REQUEST, "redirect_uri does not match the application", status=400)
    if query.get("response_type") != "code":
        raise PosterError(BAD_REQUEST, "response_type must be code", status=400)
    echo = {"state": query["state"]} if "state" in query else {}
    if state.settings.deny_authorization:
        return _redirect(redirect, {"error": "access_denied", **echo})
    login = query.get("account") or next(iter(state.accounts), None)
    if login is None or login not in state.accounts:
        raise PosterError(BAD_REQUEST, "Unknown account", status=400)
    lifetime = dt.timedelta(seconds=state.settings.code_lifetime_seconds)
    code = state.tokens.issue_code(
        account=login, redirect_uri=redirect, expires_at=state.clock.now() + lifetime
    )
    return _redirect(redirect, {"code": code.code, "account": login, **echo})


def exchange(state: PosterState, form: Mapping[str, str]) -> dict[str, Any]:
    app = state.application
    given_id = form.get("application_id") or form.get("client_id") or ""
    secret = form.get("application_secret") or form.get("client_secret") or ""
    if given_id != app.application_id or not hmac.compare_digest(
        secret.encode(), app.application_secret.encode()
    ):
        raise AuthError(BAD_APPLICATION, "invalid_client", "Bad application_id or secret")
    if form.get("grant_type") != "authorization_code":
        raise AuthError(BAD_REQUEST, "unsupported_grant_type", "grant_type: authorization_code")
    code = state.tokens.redeem_code(
        form.get("code", ""), redirect_uri=form.get("redirect_uri"), now=state.clock.now()
    )
    account = state.account(code.account)
    access = state.install(account.login)
    email = f"owner@{account.login}.example"
    return {
        "access_token": access.token,
        "account_number": account.number,
        "user": {"id": USER_ID, "name": "Owner", "email": email, "role_id": OWNER_ROLE},
        "ownerInfo": {
            "email": email,
            "phone": "",
            "city": "",
            "country": "UA",
            "name": "Owner",
            "company_name": account.company_name,
        },
    }


def _redirect(url: str, params: Mapping[str, str]) -> Response:
    return RedirectResponse(url + ("&" if "?" in url else "?") + urlencode(params), 302)
