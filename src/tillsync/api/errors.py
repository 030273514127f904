"""One place that turns errors into JSON answers; nothing a client sends becomes a 500."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from tillsync.errors import ClientError, MalformedBody

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
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        if exc.status_code == 400 and exc.__cause__ is not None:
            # FastAPI's refusal of a body it could not read (a number too long for json.loads)
            cause = exc.__cause__
            refusal = (
                cause if isinstance(cause, MalformedBody) else MalformedBody("is not valid JSON")
            )
            return await client_error(request, refusal)
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
