"""Till's API over `TillState`, served on loopback: the wire format only.

Not emulated: catalogs, locations, webhooks, OAuth (a token is given as it is), paging.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI, Request
from starlette.responses import JSONResponse, Response

from tests.support.till.state import TillState
from tillsync.emulators.connection import DroppedConnection
from tillsync.serving import serve


def _error(status: int, message: str, **headers: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def create_till_emulator(state: TillState) -> FastAPI:
    app = FastAPI(title="Till emulator")

    def log(request: Request, response: Response) -> Response:
        status = 0 if isinstance(response, DroppedConnection) else response.status_code
        state.calls.append((request.method, request.url.path, status))
        return response

    @app.get("/me")
    async def me(request: Request) -> Response:
        if not state.authorised(request.headers.get("authorization")):
            return log(request, _error(401, "unauthorized"))
        return log(request, JSONResponse({"merchant": "Till Cafe"}))

    @app.post("/orders")
    async def create(request: Request) -> Response:
        if not state.authorised(request.headers.get("authorization")):
            return log(request, _error(401, "unauthorized"))
        fault = state.faults.popleft() if state.faults else None
        if fault == "throttle":
            return log(request, _error(429, "slow down"))
        if fault in ("500", "429", "400", "401"):
            headers = {"Retry-After": "0"} if fault == "429" else {}
            return log(request, _error(int(fault or 500), "injected", **headers))
        body = json.loads(await request.body())
        key = request.headers.get("idempotency-key", "")
        order = state.create(key, body)
        if order is None:
            return log(request, _error(400, "idempotency key reused with another body"))
        if fault == "drop":
            return log(request, DroppedConnection())
        return log(request, JSONResponse(order.document(), status_code=201))

    @app.get("/orders")
    async def search(request: Request) -> Response:
        if not state.authorised(request.headers.get("authorization")):
            return log(request, _error(401, "unauthorized"))
        found = state.by_reference(request.query_params.get("reference", ""))
        return log(request, JSONResponse({"orders": [order.document() for order in found]}))

    @app.post("/oauth/revoke")
    async def revoke(request: Request) -> Response:
        if not state.authorised(request.headers.get("authorization")):
            return log(request, _error(401, "unauthorized"))
        state.revoked = True
        return log(request, JSONResponse({"revoked": True}))

    return app


@dataclass(frozen=True, slots=True)
class ServedTill:
    state: TillState
    url: str


@asynccontextmanager
async def served_till(state: TillState | None = None) -> AsyncIterator[ServedTill]:
    till = state or TillState()
    async with serve(create_till_emulator(till)) as url:
        yield ServedTill(till, url)
