"""Tally's emulator: a tiny OAuth 2.0 authorization server and the invoice API it guards.

`GET /oauth/authorize` approves at once and sends the browser back with a code and the
state; `POST /oauth/token` answers the authorization_code and refresh_token grants with
`expires_at`; `POST /oauth/revoke` ends a grant. Refresh tokens are single use (each
refresh hands out a new one, as PKCE grants do at Square), so two refreshes of one grant
at once would lose it: the hub must refresh once. Controls: `lifetime` of new access
tokens, `expire_access_tokens()`, `revoke_grants()`, `token_outages` (503s), and
`refreshes`, a counter.

Not emulated: scopes (granted as asked), consent refusal other than `deny`, PKCE.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

CLIENT_ID, CLIENT_SECRET = "tally-app-1", "tally-secret-0123456789abcdef"


@dataclass
class Grant:
    account_id: str
    refresh_token: str
    revoked: bool = False


@dataclass
class TallyState:
    lifetime: dt.timedelta = dt.timedelta(hours=1)
    deny: bool = False
    refreshes: int = 0
    codes: dict[str, Grant] = field(default_factory=dict)
    grants: list[Grant] = field(default_factory=list)
    access: dict[str, tuple[Grant, dt.datetime]] = field(default_factory=dict)
    invoices: list[dict[str, Any]] = field(default_factory=list)
    refused: int = 0
    """Calls answered 401 (an expired or revoked token)."""
    token_outages: int = 0
    """The next this many token requests are answered 503."""

    def expire_access_tokens(self) -> None:
        past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        self.access = {token: (grant, past) for token, (grant, _) in self.access.items()}

    def revoke_grants(self) -> None:
        for grant in self.grants:
            grant.revoked = True

    def issue(self, grant: Grant) -> dict[str, Any]:
        access = f"tal_at_{secrets.token_urlsafe(16)}"
        expires = dt.datetime.now(dt.UTC) + self.lifetime
        self.access[access] = (grant, expires)
        return {
            "access_token": access,
            "token_type": "bearer",
            "expires_at": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "refresh_token": grant.refresh_token,
            "account_id": grant.account_id,
        }

    def holder(self, request: Request) -> Grant | None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        found = self.access.get(token) if scheme.lower() == "bearer" else None
        if found is None or found[0].revoked or found[1] <= dt.datetime.now(dt.UTC):
            self.refused += 1
            return None
        return found[0]


def _refused(error: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": error}, status_code=status)


def create_tally_server(state: TallyState) -> Starlette:
    async def authorize(request: Request) -> Response:
        query = request.query_params
        if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
            return _refused("invalid_request")
        back: dict[str, str] = {"state": query.get("state", "")}
        if state.deny:
            back["error"] = "access_denied"
        else:
            code = f"tal_code_{secrets.token_urlsafe(12)}"
            account = f"acct_{len(state.grants) + 1}"
            state.codes[code] = Grant(account, f"tal_rt_{secrets.token_urlsafe(16)}")
            back["code"] = code
        return RedirectResponse(f"{query.get('redirect_uri', '')}?{urlencode(back)}", 302)

    def by_code(form: Any) -> Response:
        grant = state.codes.pop(str(form.get("code", "")), None)
        if grant is None:
            return _refused("invalid_grant")
        state.grants.append(grant)
        return JSONResponse(state.issue(grant))

    def by_refresh(form: Any) -> Response:
        given = str(form.get("refresh_token", ""))
        grant = next((g for g in state.grants if g.refresh_token == given), None)
        if grant is None or grant.revoked:
            return _refused("invalid_grant")
        state.refreshes += 1
        grant.refresh_token = f"tal_rt_{secrets.token_urlsafe(16)}"  # single use
        return JSONResponse(state.issue(grant))

    async def token(request: Request) -> Response:
        form = await request.form()
        if state.token_outages:
            state.token_outages -= 1
            return _refused("temporarily_unavailable", 503)
        if (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
            return _refused("invalid_client", 401)
        grants = {"authorization_code": by_code, "refresh_token": by_refresh}
        answer = grants.get(str(form.get("grant_type")))
        return answer(form) if answer else _refused("unsupported_grant_type")

    async def revoke(request: Request) -> Response:
        if request.headers.get("authorization") != f"Client {CLIENT_SECRET}":
            return _refused("invalid_client", 401)
        body = await request.json()
        found = state.access.get(str(body.get("access_token", "")))
        if found is not None:
            found[0].revoked = True
        return JSONResponse({"success": True})

    async def me(request: Request) -> Response:
        grant = state.holder(request)
        if grant is None:
            return _refused("invalid_token", 401)
        return JSONResponse({"account_id": grant.account_id, "name": "Tally Books Ltd"})

    async def invoices(request: Request) -> Response:
        grant = state.holder(request)
        if grant is None:
            return _refused("invalid_token", 401)
        if request.method == "GET":
            reference = request.query_params.get("reference")
            return JSONResponse([i for i in state.invoices if i["reference"] == reference])
        body = await request.json()
        invoice = {
            "id": f"inv_{len(state.invoices) + 1}",
            "number": f"T-{len(state.invoices) + 1:04d}",
            "reference": body["reference"],
            "account_id": grant.account_id,
        }
        state.invoices.append(invoice)
        return JSONResponse(invoice, status_code=201)

    return Starlette(
        routes=[
            Route("/oauth/authorize", authorize),
            Route("/oauth/token", token, methods=["POST"]),
            Route("/oauth/revoke", revoke, methods=["POST"]),
            Route("/v1/me", me),
            Route("/v1/invoices", invoices, methods=["GET", "POST"]),
        ]
    )
