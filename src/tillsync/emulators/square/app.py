"""The HTTP face of the emulator: Square's wire format in front of `SquareState`.

Every call goes through one pipeline: Square-Version → route → token → rate limit →
faults before the effect → the rule → faults after the effect → call log. The OAuth
endpoints skip the token and the rate limit (they authenticate with the app's secret).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response

from tillsync.emulators.asgi import emulator_app
from tillsync.emulators.connection import DroppedConnection, logged_status
from tillsync.emulators.fault_plans import before_effect
from tillsync.emulators.faults import carry_out
from tillsync.emulators.square import oauth, responses
from tillsync.emulators.square.control import control_router
from tillsync.emulators.square.endpoints import Call, route
from tillsync.emulators.square.errors import SquareError
from tillsync.emulators.square.faults import FaultPlan
from tillsync.emulators.square.logs import CallRecord
from tillsync.emulators.square.state import SquareState
from tillsync.emulators.square.webhooks import webhook_dispatcher

METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH"]
VERSION = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DEFAULT_VERSION = "2026-09-16"


@dataclass(frozen=True, slots=True)
class Answer:
    response: Response
    throttled: bool = False
    merchant_id: str | None = None


class Gateway:
    def __init__(self, state: SquareState) -> None:
        self._state = state

    async def __call__(self, request: Request) -> Response:
        raw = await request.body()  # read now: later waits listen on the same channel
        try:
            answer = await self._answer(request, raw)
        except SquareError as error:
            answer = Answer(responses.error_response(error))
        response = answer.response
        dropped = isinstance(response, DroppedConnection)
        if not dropped:
            response.headers["Square-Version"] = (
                request.headers.get("square-version") or DEFAULT_VERSION
            )
        token = _bearer(request)
        self._state.record_call(
            CallRecord(
                time=self._state.clock.now(),
                method=request.method,
                path=request.url.path,
                status=logged_status(response),
                merchant_id=answer.merchant_id,
                token_hint=token[-4:] if token else "",
                throttled=answer.throttled,
                query=request.url.query,
                idempotency_key=_key(raw),
            )
        )
        return response

    async def _answer(self, request: Request, raw: bytes) -> Answer:
        version = request.headers.get("square-version")
        if version is not None and not VERSION.match(version):
            raise SquareError(
                "Square-Version must look like YYYY-MM-DD.",
                code="INVALID_SQUARE_VERSION_FORMAT",
                field="Square-Version",
            )
        path = "/" + request.url.path.strip("/")
        if path.startswith("/oauth2/"):
            return Answer(await self._oauth(request, path, raw))
        found = route(request.method, path)
        if found is None:
            raise SquareError("Not found.", code="NOT_FOUND", status=404)
        if found is False:
            raise SquareError("Method not allowed.", code="METHOD_NOT_ALLOWED", status=405)
        assert isinstance(found, tuple)
        handler, params = found
        token = _bearer(request)
        merchant_id = self._state.tokens.check(token, now=self._state.clock.now()).grant.merchant_id
        limit = self._state.rate_limit_for(token)
        window = self._state.settings.rate_window_seconds
        if not self._state.rate_limiter.allow(token, limit=limit, window_seconds=window):
            retry_after = self._state.settings.retry_after_seconds
            return Answer(responses.throttled(retry_after), True, merchant_id)
        plan = self._state.faults.plan(request.method, path)
        early = await self._before(request, plan)
        if early is not None:
            return Answer(early, early.status_code == 429, merchant_id)
        call = Call(
            state=self._state,
            merchant=self._state.merchant(merchant_id),
            params=params,
            query=request.query_params,
            body=_body(raw),
        )
        try:
            response = responses.json_response(handler(call))
        except SquareError as error:
            return Answer(responses.error_response(error), merchant_id=merchant_id)
        ruled = await carry_out(request, plan, moment="after", failure=self._failure)
        return Answer(response if ruled is None else ruled, merchant_id=merchant_id)

    async def _oauth(self, request: Request, path: str, raw: bytes) -> Response:
        plan = self._state.faults.plan(request.method, path)
        early = await self._before(request, plan)
        if early is not None:
            return early
        if (request.method, path) == ("GET", "/oauth2/authorize"):
            response = oauth.authorize(self._state, request.query_params)
        elif request.method != "POST":
            raise SquareError("Method not allowed.", code="METHOD_NOT_ALLOWED", status=405)
        elif path == "/oauth2/token":
            response = responses.json_response(oauth.obtain_token(self._state, _body(raw)))
        elif path == "/oauth2/revoke":
            authorization = request.headers.get("authorization", "")
            response = responses.json_response(oauth.revoke(self._state, authorization, _body(raw)))
        elif path == "/oauth2/token/status":
            response = responses.json_response(oauth.token_status(self._state, _bearer(request)))
        else:
            raise SquareError("Not found.", code="NOT_FOUND", status=404)
        ruled = await carry_out(request, plan, moment="after", failure=self._failure)
        return response if ruled is None else ruled

    async def _before(self, request: Request, plan: FaultPlan) -> Response | None:
        return await before_effect(request, plan, failure=self._failure)

    def _failure(self, status: int) -> Response:
        if status == 429:
            return responses.throttled(self._state.settings.retry_after_seconds)
        return responses.failure(status)


def _bearer(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _body(raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        raise SquareError("The body is not valid JSON.", code="BAD_REQUEST", field="body") from None
    if not isinstance(data, dict):
        raise SquareError("Expected a JSON object.", code="EXPECTED_OBJECT", field="body")
    return data


def _key(raw: bytes) -> str | None:
    try:
        data = json.loads(raw) if raw.strip() else None
    except ValueError:
        return None
    key = data.get("idempotency_key") if isinstance(data, dict) else None
    return key if isinstance(key, str) else None


def create_square_emulator(state: SquareState | None = None) -> FastAPI:
    """The emulator as an ASGI app: Square under `/v2/` and `/oauth2/`, controls under
    `/_emulator/`. Webhooks are delivered while the app's lifespan runs; build one app per
    state, or every event is delivered twice.
    """
    return emulator_app(
        state or SquareState(),
        title="Square emulator",
        control=control_router,
        gateway=Gateway,
        methods=METHODS,
        dispatcher=webhook_dispatcher,
    )
