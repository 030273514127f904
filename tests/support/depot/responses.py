"""Depot's answers: JSON documents, page envelopes and `{"error": {…}}` refusals."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

from tests.support.depot.records import DepotError


def document(value: object, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    if status == 204:
        return Response(status_code=204, headers=headers)
    body = json.dumps(value, separators=(",", ":"))
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def refusal(error: DepotError, headers: dict[str, str] | None = None) -> Response:
    detail: dict[str, object] = {"code": error.code, "message": error.message}
    if error.field is not None:
        detail["field"] = error.field
    return document({"error": detail}, error.status, headers)


def listing(rows: list[Any], total: int, *, page: int, limit: int) -> dict[str, object]:
    """Depot's page envelope; `rows` are documents already."""
    return {
        "data": rows,
        "page": page,
        "limit": limit,
        "total": total,
        "has_more": page * limit < total,
    }
