"""The HTTP face of the emulator: Poster's wire format in front of `PosterState`.

One server plays every host: `joinposter.com/api/…` and `{account}.joinposter.com/api/…`
are both its `/api/…`. Every API call goes through one pipeline: method → token (query or
form `token`) → the account's rate limit → faults before the effect → the rule → faults
after the effect → call log. Errors are `{"error": {code, message}}` in HTTP 200. The
OAuth endpoints skip the token and the limit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response

from tillsync.emulators.asgi import emulator_app
from tillsync.emulators.connection import DroppedConnection, logged_status
from tillsync.emulators.fault_plans import before_effect
from tillsync.emulators.faults import carry_out
from tillsync.emulators.poster import oauth, responses
from tillsync.emulators.poster.control import control_router
from tillsync.emulators.poster.errors import (
    NOT_FOUND,
    RATE_RESTRICTION,
    UNKNOWN_METHOD,
    AuthError,
    PosterError,
    rate_restricted,
)
from tillsync.emulators.poster.faults import FaultPlan
from tillsync.emulators.poster.logs import CallRecord
from tillsync.emulators.poster.methods import METHODS, Call
from tillsync.emulators.poster.state import PosterState
from tillsync.emulators.poster.webhooks import webhook_dispatcher

HTTP_METHODS = ["GET", "POST"]
API_PREFIX = "/api/"
AUTHORIZE = "/api/auth"
EXCHANGES = ("/api/v2/auth/access_token", "/api/auth/access_token")


@dataclass(frozen=True, slots=True)
class Answer:
    response: Response
    code: int | None = None
    account: str | None = None


class Gateway:
    def __init__(self, state: PosterState) -> None:
        self._state = state

    async def __call__(self, request: Request) -> Response:
        raw = await request.body()  # read now: later waits listen on the same channel
        path = "/" + request.url.path.strip("/")
        params = {**dict(request.query_params), **await _form(request, raw)}
        try:
            if (request.method, path) == ("GET", AUTHORIZE) or path in EXCHANGES:
                answer = await self._oauth(request, path, params)
            elif path.startswith(API_PREFIX):
                answer = await self._api(request, path, params)
            else:
                raise PosterError(NOT_FOUND, "Not found", status=404)
        except PosterError as error:
            answer = Answer(responses.error_response(error), error.code)
        token = params.get("token", "")
        self._state.record_call(
            CallRecord(
                time=self._state.clock.now(),
                method=request.method,
                path=path,
                status=logged_status(answer.response),
                code=answer.code,
                account=answer.account,
                token_hint=token[-4:],
                throttled=answer.code == RATE_RESTRICTION,
            )
        )
        return answer.response

    async def _api(self, request: Request, path: str, params: dict[str, str]) -> Answer:
        state = self._state
        method = METHODS.get(path[len(API_PREFIX) :])
        if method is None:
            raise PosterError(UNKNOWN_METHOD, "Method not found")
        access = state.tokens.check(params.get("token", ""), now=state.clock.now())
        account = state.account(access.account)
        settings = state.settings
        if not state.rate_limiter.allow(
            account.login, limit=settings.rate_limit, window_seconds=settings.rate_window_seconds
        ):
            error = rate_restricted()
            return Answer(responses.error_response(error), error.code, account.login)
        plan = state.faults.plan(request.method, path)
        early = await self._before(request, plan)
        if early is not None:
            return Answer(early, _code_of(early), account.login)
        try:
            value = method(Call(account, params, state))
        except PosterError as error:
            return Answer(responses.error_response(error), error.code, account.login)
        ruled = await carry_out(request, plan, moment="after", failure=responses.failure)
        if ruled is not None:
            return Answer(ruled, _code_of(ruled), account.login)
        return Answer(responses.envelope(value), account=account.login)

    async def _oauth(self, request: Request, path: str, params: dict[str, str]) -> Answer:
        plan = self._state.faults.plan(request.method, path)
        early = await self._before(request, plan)
        if early is not None:
            return Answer(early, _code_of(early))
        if path == AUTHORIZE:
            response = oauth.authorize(self._state, request.query_params)
        elif request.method != "POST":
            raise PosterError(NOT_FOUND, "Not found", status=405)
        else:
            try:
                response = responses.json_response(oauth.exchange(self._state, params))
            except AuthError as error:
                return Answer(responses.json_response(error.document), error.document["code"])
        ruled = await carry_out(request, plan, moment="after", failure=responses.failure)
        return Answer(response if ruled is None else ruled)

    async def _before(self, request: Request, plan: FaultPlan) -> Response | None:
        return await before_effect(
            request, plan, failure=responses.failure, random_failure=responses.failure_of_kind
        )


def _code_of(response: Response) -> int | None:
    if isinstance(response, DroppedConnection):
        return None
    try:
        return int(json.loads(bytes(response.body))["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return None


async def _form(request: Request, raw: bytes) -> dict[str, str]:
    """Form fields (urlencoded or multipart, as the docs send them) or a JSON object's
    top-level values (as the PHP SDK sends them), all as strings."""
    if not raw.strip():
        return {}
    content_type = request.headers.get("content-type", "")
    if "json" in content_type:
        try:
            document: Any = json.loads(raw)
        except ValueError:
            return {}
        if not isinstance(document, dict):
            return {}
        return {k: v if isinstance(v, str) else json.dumps(v) for k, v in document.items()}
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def create_poster_emulator(state: PosterState | None = None) -> FastAPI:
    """The emulator as an ASGI app: Poster's API and OAuth under `/api/`, controls under
    `/_emulator/`. Webhooks are delivered while the app's lifespan runs; build one app per
    state, or every change is delivered twice.
    """
    return emulator_app(
        state or PosterState(),
        title="Poster POS emulator",
        control=control_router,
        gateway=Gateway,
        methods=HTTP_METHODS,
        dispatcher=webhook_dispatcher,
    )
