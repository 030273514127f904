"""Zoho's answers: the `{code, message, ...}` envelope, refusals, the throttle, failures."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

from tillsync.emulators.zoho.errors import INTERNAL, ZohoError, throttled
from tillsync.emulators.zoho.wire import dump_json


def json_response(
    document: object, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(
        dump_json(document), status_code=status, media_type="application/json", headers=headers
    )


def envelope(document: Mapping[str, Any], *, status: int, message: str) -> Response:
    """Success: `code` 0 and the message first, then the answer's keys."""
    return json_response({"code": 0, "message": message, **document}, status)


def error_response(error: ZohoError) -> Response:
    return json_response(error.body(), error.status)


def failure(status: int) -> Response:
    """An injected failure; 429 is Zoho's throttle, 200 a non-zero `code` inside a 200."""
    if status == 429:
        return error_response(throttled())
    return json_response(ZohoError(INTERNAL, "Internal error").body(), status)
