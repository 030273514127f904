"""One place that turns errors into JSON answers; nothing a client sends becomes a 500."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tillsync.errors import ClientError, PayloadTooLarge

log = logging.getLogger(__name__)


def field_path(loc: tuple[Any, ...] | list[Any], *, skip: frozenset[str] = frozenset()) -> str:
    """('body', 'items', 0, 'quantity') → 'items[0].quantity'."""
    path = ""
    for part in loc:
        if (part == "body" and not path) or part in skip:
            continue
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "body"


def _problem(error: dict[str, Any], skip: frozenset[str]) -> dict[str, str]:
    kind = str(error.get("type", ""))
    field = field_path(error.get("loc", ()), skip=skip)
    if kind == "json_invalid":
        return {"field": "body", "problem": "is not valid JSON"}
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        expected = error.get("ctx", {}).get("expected_tags", "")
        problem = f"must be one of {expected}" if expected else "is required"
        return {
            "field": str(error.get("ctx", {}).get("discriminator", "action")).strip("'"),
            "problem": problem,
        }
    if kind == "missing":
        return {"field": field, "problem": "is required"}
    message = str(error.get("msg", "is invalid"))
    return {"field": field, "problem": message.removeprefix("Value error, ")}


def validation_body(errors: list[dict[str, Any]], *, skip: frozenset[str]) -> dict[str, Any]:
    problems = [_problem(e, skip) for e in errors]
    first = problems[0] if problems else {"field": "body", "problem": "is invalid"}
    return {
        "error": "invalid_input",
        "message": f"{first['field']}: {first['problem']}",
        "field": first["field"],
        "errors": problems,
    }


def install(app: FastAPI, *, union_tags: frozenset[str] = frozenset()) -> None:
    @app.exception_handler(ClientError)
    async def client_error(_: Request, exc: ClientError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        return JSONResponse(exc.body(), status_code=exc.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        body = validation_body(list(exc.errors()), skip=union_tags)
        status = 400 if body["errors"][0]["problem"] == "is not valid JSON" else 422
        return JSONResponse(body, status_code=status)

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse(
            {"error": "http_error", "message": str(exc.detail)},
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", extra={"path": request.url.path})
        return JSONResponse(
            {"error": "internal_error", "message": "the hub failed to answer; it is logged"},
            status_code=500,
        )


class BodyLimit:
    """Refuses bodies over the limit with 413, by their header or by counting the bytes.

    Bodies are read whole before the app sees them (they are capped, so this is cheap),
    which lets an over-long chunked body be refused cleanly rather than half-parsed.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            await self._refuse(scope, receive, send)
            return
        chunks: list[bytes] = []
        size, more = 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay(message), send)
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body: Message = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, _replay(body, then=receive), send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        error = PayloadTooLarge(f"the body is over {self.max_bytes} bytes", field="body")
        await JSONResponse(error.body(), status_code=413)(scope, receive, send)


def _replay(first: Message, *, then: Receive | None = None) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return first
        if then is None:
            return {"type": "http.disconnect"}
        return await then()

    return receive
