"""Every request: its request id (the caller's if well-formed, else a new one, echoed in the
answer), one access-log line, and its count and latency under its route template."""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tillsync import request_ids
from tillsync.metrics import UNMATCHED, Metrics

log = logging.getLogger("tillsync.access")
HEADER = request_ids.HEADER.lower().encode()


class Access:
    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_ids.accept(_header(scope, HEADER))
        token = request_ids.current.set(request_id)
        started = time.perf_counter()
        status = 500  # unless an answer starts: the app failed, and the server answers 500

        async def answer(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [*message.get("headers", ()), (HEADER, request_id.encode())]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, answer)
        finally:
            seconds = time.perf_counter() - started
            route = _route(scope)
            method: str = scope["method"]
            self.metrics.request_served(method=method, route=route, status=status, seconds=seconds)
            client = scope.get("client")
            log.info(
                "%s %s %s",
                method,
                scope["path"],
                status,
                extra={
                    "request_id": request_id,
                    "method": method,
                    "path": scope["path"],  # never the query: it may carry a caller's secret
                    "route": route,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 1),
                    "client": client[0] if client else None,
                },
            )
            request_ids.current.reset(token)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def _route(scope: Scope) -> str:
    """The template of the route that took the request (`/api/sales/{sale_id}`)."""
    route: Any = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED
