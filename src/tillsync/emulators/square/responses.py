"""Square's answers: JSON documents and `{"errors": [...]}` bodies, the throttle, failures."""

from __future__ import annotations

from starlette.responses import Response

from tillsync.emulators.square.errors import SquareError
from tillsync.emulators.square.wire import dump_json

FAILURES = {
    500: ("API_ERROR", "INTERNAL_SERVER_ERROR", "An internal error has occurred."),
    502: ("API_ERROR", "BAD_GATEWAY", "Bad gateway."),
    503: ("API_ERROR", "SERVICE_UNAVAILABLE", "The service is unavailable."),
    504: ("API_ERROR", "GATEWAY_TIMEOUT", "Gateway timeout."),
    429: ("RATE_LIMIT_ERROR", "RATE_LIMITED", "Rate limit exceeded."),
}


def json_response(document: object, status: int = 200, **headers: str) -> Response:
    return Response(
        dump_json(document), status_code=status, media_type="application/json", headers=headers
    )


def error_response(error: SquareError) -> Response:
    return json_response(error.body(), error.status)


def throttled(retry_after: int | None) -> Response:
    """Square's 429; no Retry-After unless the setting asks for one (the notes found none)."""
    headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
    return json_response(_errors(429), 429, **headers)


def failure(status: int) -> Response:
    return json_response(_errors(status), status)


def _errors(status: int) -> dict[str, object]:
    category, code, detail = FAILURES.get(
        status, ("API_ERROR" if status >= 500 else "INVALID_REQUEST_ERROR", "BAD_REQUEST", "Error.")
    )
    return {"errors": [{"category": category, "code": code, "detail": detail}]}
