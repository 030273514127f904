"""Dine's answers: JSON documents and `{"error": {"code", "message"}}` bodies."""

from __future__ import annotations

import json

from starlette.responses import Response

from tillsync.emulators.dine.errors import DineError


def json_response(document: object, status: int = 200, **headers: str) -> Response:
    body = json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def error_response(error: DineError, **headers: str) -> Response:
    return json_response(error.body(), error.status, **headers)
