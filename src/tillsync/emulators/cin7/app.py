"""The HTTP face of the emulator: CIN7's wire format in front of `Cin7State`.

Every CIN7 call goes through one pipeline: route → credentials → rate limit → faults
before the effect → the endpoint → faults after the effect → call log.
"""

from __future__ import annotations

import json

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response

from tillsync.emulators.asgi import emulator_app
from tillsync.emulators.cin7 import responses
from tillsync.emulators.cin7.control import control_router
from tillsync.emulators.cin7.endpoints import ROUTES, Handler
from tillsync.emulators.cin7.errors import Cin7Error
from tillsync.emulators.cin7.faults import FaultKind, FaultPlan
from tillsync.emulators.cin7.logs import CallRecord
from tillsync.emulators.cin7.records import Account
from tillsync.emulators.cin7.state import Cin7State
from tillsync.emulators.cin7.webhooks import webhook_dispatcher
from tillsync.emulators.cin7.wire import API_PREFIX, Fields, api_path
from tillsync.emulators.connection import (
    DroppedConnection,
    logged_status,
    sleep_unless_disconnected,
)
from tillsync.emulators.faults import carry_out

METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]


class Gateway:
    def __init__(self, state: Cin7State) -> None:
        self._state = state

    async def __call__(self, request: Request) -> Response:
        await request.body()  # read now: later waits listen on the same channel
        response, throttled = await self._answer(request)
        self._state.record_call(
            CallRecord(
                time=self._state.clock.now(),
                method=request.method,
                path=request.url.path,
                application_key=request.headers.get("api-auth-applicationkey", ""),
                status=logged_status(response),
                throttled=throttled,
                query=request.url.query,
            )
        )
        return response

    async def _answer(self, request: Request) -> tuple[Response, bool]:
        settings = self._state.settings
        raw_path = request.url.path.lower()
        path = api_path(raw_path)
        route = ROUTES.get(path) if raw_path.startswith(API_PREFIX + "/") else None
        if route is None:
            return responses.unknown_path(settings.unknown_path_status), False
        key = request.headers.get("api-auth-applicationkey", "")
        account = self._state.authenticate(request.headers.get("api-auth-accountid", ""), key)
        if account is None:
            return responses.forbidden(), False
        limit = settings.rate_limit
        if not self._state.rate_limiter.allow(
            key, limit=limit, window_seconds=settings.rate_window_seconds
        ):
            assert limit is not None
            return responses.throttled(settings.throttle_style, limit), True
        plan = self._state.faults.plan(request.method, path)
        early = await self._before(request, plan)
        if early is not None:
            return early, plan.kind == "throttle"
        handler = route.get(request.method)
        if handler is None:
            return responses.method_not_allowed(request.method), False
        response = await self._run(request, handler, account)
        ruled = await carry_out(request, plan, moment="after", failure=responses.failure)
        return (response if ruled is None else ruled), False

    async def _before(self, request: Request, plan: FaultPlan) -> Response | None:
        await sleep_unless_disconnected(request, plan.latency_seconds)
        ruled = await carry_out(request, plan, moment="before", failure=responses.failure)
        if ruled is not None:
            return ruled
        return None if plan.kind is None else await self._random_fault(request, plan.kind)

    async def _random_fault(self, request: Request, kind: FaultKind) -> Response:
        settings = self._state.settings
        if kind == "throttle":
            return responses.throttled(settings.throttle_style, settings.rate_limit or 60)
        if kind == "timeout":
            await sleep_unless_disconnected(request, settings.fault_timeout_seconds)
            return responses.failure(504)
        if kind == "reset":
            return DroppedConnection()
        return responses.failure(int(kind))

    async def _run(self, request: Request, handler: Handler, account: Account) -> Response:
        body = await request.body()
        try:
            data = json.loads(body) if body.strip() else {}
        except ValueError:
            return responses.unparseable()
        if not isinstance(data, dict):
            return responses.unparseable()
        try:
            with self._state.batch():
                document = handler(self._state, account, Fields(request.query_params), Fields(data))
        except Cin7Error as error:
            return responses.error_response(error)
        return responses.json_response(document)


def create_cin7_emulator(state: Cin7State | None = None) -> FastAPI:
    """The emulator as an ASGI app; CIN7 under `/ExternalApi/v2/`, controls under `/_emulator/`.

    Webhooks are delivered while the app's lifespan runs. Build one app per state: two
    apps on the same state would each deliver every event.
    """
    return emulator_app(
        state or Cin7State(),
        title="CIN7 Core emulator",
        control=control_router,
        gateway=Gateway,
        methods=METHODS,
        dispatcher=webhook_dispatcher,
    )
