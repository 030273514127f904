"""The CRM's answers: JSON documents and `{success: false, error, field}` refusals."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from starlette.responses import Response


def json_response(document: object, status: int = 200, **headers: str) -> Response:
    """Decimals become plain JSON numbers, as a JavaScript CRM would write them."""
    body = json.dumps(document, default=_plain, separators=(",", ":"))
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def _plain(value: object) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def refusal(message: str, *, status: int, field: str | None = None) -> Response:
    body: dict[str, Any] = {"success": False, "error": message}
    if field is not None:
        body["field"] = field
    return json_response(body, status)
