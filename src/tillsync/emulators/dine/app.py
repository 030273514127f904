"""The HTTP face of the Dine emulator: the assumed wire format in front of `DineState`.

Every call goes through one pipeline: route → API key → rate limit → faults before the
effect → the rule → faults after the effect → call log.
"""

from __future__ import annotations

import math

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response

from tillsync.emulators.asgi import emulator_app
from tillsync.emulators.connection import DroppedConnection, logged_status
from tillsync.emulators.dine.control import control_router
from tillsync.emulators.dine.endpoints import Call, route
from tillsync.emulators.dine.errors import DineError, failure
from tillsync.emulators.dine.responses import error_response, json_response
from tillsync.emulators.dine.state import CallRecord, DineState, Restaurant
from tillsync.emulators.fault_plans import before_effect
from tillsync.emulators.faults import carry_out

METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH"]
KEY_HEADER = "x-api-key"


class Gateway:
    def __init__(self, state: DineState) -> None:
        self._state = state

    async def __call__(self, request: Request) -> Response:
        raw = await request.body()  # read now: later waits listen on the same channel
        key = request.headers.get(KEY_HEADER) or None
        restaurant = self._state.authenticate(key)
        try:
            response = await self._answer(request, raw, restaurant)
        except DineError as error:
            response = error_response(error)
        dropped = isinstance(response, DroppedConnection)
        self._state.record_call(
            CallRecord(
                time=self._state.clock.now(),
                method=request.method,
                path=request.url.path,
                status=logged_status(response),
                restaurant_id=restaurant.id if restaurant else None,
                key_hint=key[-4:] if key else "",
                throttled=not dropped and response.status_code == 429,
                query=request.url.query,
                idempotency_key=request.headers.get("idempotency-key"),
            )
        )
        return response

    async def _answer(
        self, request: Request, raw: bytes, restaurant: Restaurant | None
    ) -> Response:
        path = "/" + request.url.path.strip("/")
        handler, params = route(request.method, path)
        if restaurant is None:
            raise DineError("a valid X-Api-Key header is required", code="unauthorized", status=401)
        settings = self._state.settings
        limiter = self._state.rate_limiter
        window = settings.rate_window_seconds
        if not limiter.allow(restaurant.api_key, limit=settings.rate_limit, window_seconds=window):
            wait = math.ceil(limiter.wait(restaurant.api_key, window_seconds=window))
            return error_response(failure(429), **{"Retry-After": str(max(wait, 1))})
        plan = self._state.faults.plan(request.method, path)
        early = await before_effect(request, plan, failure=self._failure)
        if early is not None:
            return early
        call = Call(
            state=self._state,
            restaurant=restaurant,
            params=params,
            query=request.query_params,
            raw=raw,
            key=request.headers.get("idempotency-key"),
        )
        answer = handler(call)  # a DineError here is a refusal: no effect, no after-rule
        response = json_response(answer.document, answer.status, **(answer.headers or {}))
        ruled = await carry_out(request, plan, moment="after", failure=self._failure)
        return response if ruled is None else ruled

    def _failure(self, status: int) -> Response:
        if status == 429:
            wait = str(self._state.settings.fault_retry_after_seconds)
            return error_response(failure(429), **{"Retry-After": wait})
        return error_response(failure(status))


def create_dine_emulator(state: DineState | None = None) -> FastAPI:
    """The emulator as an ASGI app: Dine under `/v1/`, controls under `/_emulator/`; no
    webhooks (Dine is assumed to send none)."""
    return emulator_app(
        state or DineState(),
        title="Dine emulator (assumed contract)",
        control=control_router,
        gateway=Gateway,
        methods=METHODS,
    )
