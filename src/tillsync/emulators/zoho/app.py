"""The HTTP face of the emulator: Zoho's wire format in front of `ZohoState`.

One server plays both hosts: the accounts server under `/oauth/v2/` and the API under
`/inventory/v1/` (what `https://www.zohoapis.com/inventory/v1` stands for). Every API call
goes through one pipeline: route → token (code 57) → `organization_id` → the minute's
rate limit → the day's quota → faults before the effect → the rule → faults after the
effect → call log. The accounts endpoints skip the token, the limits and the quota.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response

from tillsync.emulators.asgi import emulator_app
from tillsync.emulators.connection import logged_status
from tillsync.emulators.fault_plans import before_effect
from tillsync.emulators.faults import carry_out
from tillsync.emulators.zoho import accounts, responses
from tillsync.emulators.zoho.control import control_router
from tillsync.emulators.zoho.endpoints import API_PREFIX, NO_ORGANIZATION, Call, route
from tillsync.emulators.zoho.errors import (
    INVALID_URL,
    NOT_OF_ORGANIZATION,
    ORGANIZATION_MISSING,
    AccountsError,
    ZohoError,
    invalid,
    quota_spent,
    throttled,
)
from tillsync.emulators.zoho.faults import FaultPlan
from tillsync.emulators.zoho.logs import CallRecord
from tillsync.emulators.zoho.quotas import DailyQuota
from tillsync.emulators.zoho.records import Organization
from tillsync.emulators.zoho.state import ZohoState
from tillsync.emulators.zoho.webhooks import webhook_dispatcher

METHODS = ["GET", "POST", "PUT", "DELETE"]
ACCOUNTS_PREFIX = "/oauth/v2/"


@dataclass(frozen=True, slots=True)
class Answer:
    response: Response
    code: int | None = None
    throttled: bool = False
    organization_id: str | None = None


class Gateway:
    def __init__(self, state: ZohoState) -> None:
        self._state = state

    async def __call__(self, request: Request) -> Response:
        raw = await request.body()  # read now: later waits listen on the same channel
        path = "/" + request.url.path.strip("/")
        try:
            if path.startswith(ACCOUNTS_PREFIX):
                answer = await self._accounts(request, path, raw)
            elif path.startswith(API_PREFIX + "/"):
                answer = await self._api(request, path, raw)
            else:
                raise ZohoError(INVALID_URL, "Invalid URL Passed", status=404)
        except ZohoError as error:
            answer = Answer(responses.error_response(error), error.code, error.status == 429)
        token = _token(request)
        self._state.record_call(
            CallRecord(
                time=self._state.clock.now(),
                method=request.method,
                path=path,
                status=logged_status(answer.response),
                code=answer.code,
                organization_id=answer.organization_id,
                token_hint=token[-4:] if token else "",
                throttled=answer.throttled,
                # The accounts server takes secrets in its query: never logged.
                query="" if path.startswith(ACCOUNTS_PREFIX) else request.url.query,
            )
        )
        return answer.response

    async def _api(self, request: Request, path: str, raw: bytes) -> Answer:
        state = self._state
        handler, params = route(request.method, path[len(API_PREFIX) :])
        now = state.clock.now()
        account_id = state.tokens.check(_token(request), now=now).grant.account_id
        relative = path[len(API_PREFIX) :]
        organization = None
        headers: dict[str, str] = {}
        if relative in NO_ORGANIZATION:
            key = f"account:{account_id}"
        else:
            organization_id = request.query_params.get("organization_id")
            if not organization_id:
                raise ZohoError(ORGANIZATION_MISSING, "organization_id is required.")
            organization = state.organizations.get(organization_id)
            if organization is None or organization.account_id != account_id:
                raise ZohoError(
                    NOT_OF_ORGANIZATION, "This user is not associated with the organization."
                )
            key = organization.id
        settings = state.settings
        if not state.rate_limiter.allow(
            key, limit=settings.rate_limit, window_seconds=settings.rate_window_seconds
        ):
            return self._refused(throttled(), organization)
        if organization is not None:
            quota = state.quota_of(organization)
            if not state.quota.spend(organization.id, quota=quota, now=now):
                return self._refused(quota_spent(quota), organization)
            headers = _quota_headers(state.quota, organization.id, limit=quota, now=now)
        org_id = None if organization is None else organization.id
        plan = state.faults.plan(request.method, path)
        early = await self._before(request, plan)
        if early is not None:
            return Answer(early, throttled=early.status_code == 429, organization_id=org_id)
        call = Call(state, account_id, organization, params, request.query_params, _body(raw))
        try:
            reply = handler(call)
        except ZohoError as error:
            refused = responses.error_response(error)
            refused.headers.update(headers)
            return Answer(refused, error.code, organization_id=org_id)
        response = responses.envelope(reply.document, status=reply.status, message=reply.message)
        ruled = await carry_out(request, plan, moment="after", failure=responses.failure)
        final = response if ruled is None else ruled
        final.headers.update(headers)
        return Answer(final, 0 if ruled is None else None, organization_id=org_id)

    def _refused(self, error: ZohoError, organization: Organization | None) -> Answer:
        org_id = None if organization is None else organization.id
        return Answer(responses.error_response(error), error.code, True, org_id)

    async def _accounts(self, request: Request, path: str, raw: bytes) -> Answer:
        plan = self._state.faults.plan(request.method, path)
        early = await self._before(request, plan)
        if early is not None:
            return Answer(early)
        server = str(request.base_url).rstrip("/")
        params = {**dict(request.query_params), **_form(raw)}
        try:
            if (request.method, path) == ("GET", "/oauth/v2/auth"):
                response = accounts.authorize(self._state, request.query_params, server=server)
            elif (request.method, path) == ("POST", "/oauth/v2/token"):
                token = accounts.obtain_token(self._state, params, api_domain=server)
                response = responses.json_response(token)
            elif (request.method, path) == ("POST", "/oauth/v2/token/revoke"):
                response = responses.json_response(accounts.revoke(self._state, params))
            else:
                raise ZohoError(INVALID_URL, "Invalid URL Passed", status=404)
        except AccountsError as error:
            return Answer(responses.json_response(error.document, error.status))
        ruled = await carry_out(request, plan, moment="after", failure=responses.failure)
        return Answer(response if ruled is None else ruled)

    async def _before(self, request: Request, plan: FaultPlan) -> Response | None:
        return await before_effect(request, plan, failure=responses.failure)


def _quota_headers(quota: DailyQuota, key: str, *, limit: int, now: dt.datetime) -> dict[str, str]:
    """The day's use, as Zoho's `X-Rate-Limit-*` headers tell it."""
    remaining = max(limit - quota.used(key, now=now), 0)
    return {
        "X-Rate-Limit-Limit": str(limit),
        "X-Rate-Limit-Remaining": str(remaining),
        "X-Rate-Limit-Reset": str(DailyQuota.seconds_left(now)),
    }


def _token(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme == "Zoho-oauthtoken" else ""


def _form(raw: bytes) -> dict[str, str]:
    try:
        return dict(parse_qsl(raw.decode(), keep_blank_values=True))
    except UnicodeDecodeError:
        return {}


def _body(raw: bytes) -> dict[str, Any]:
    """A JSON body, or the form field `JSONString` older clients send."""
    if not raw.strip():
        return {}
    text = raw.decode(errors="replace")
    if not text.lstrip().startswith("{"):
        text = _form(raw).get("JSONString", "")
    try:
        data = json.loads(text)
    except ValueError:
        raise invalid("JSONString") from None
    if not isinstance(data, dict):
        raise invalid("JSONString")
    return data


def create_zoho_emulator(state: ZohoState | None = None) -> FastAPI:
    """The emulator as an ASGI app: the accounts server under `/oauth/v2/`, the API under
    `/inventory/v1/`, controls under `/_emulator/`. Workflow webhooks are delivered while
    the app's lifespan runs; build one app per state, or every change is delivered twice.
    """
    return emulator_app(
        state or ZohoState(),
        title="Zoho Inventory emulator",
        control=control_router,
        gateway=Gateway,
        methods=METHODS,
        dispatcher=webhook_dispatcher,
    )
