"""How Square says no: `{"errors": [{category, code, detail, field}]}`, status as usual."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tillsync.connectors.http import classify, decode_json

__all__ = ["error_codes", "read"]

_MAX_DETAIL = 200
_MAX_FIELD = 100


def error_codes(payload: Any) -> list[str]:
    """The `code` of each error in a Square error body; empty when it is none."""
    errors = payload.get("errors") if isinstance(payload, dict) else None
    if not isinstance(errors, list):
        return []
    return [
        str(e["code"]) for e in errors if isinstance(e, dict) and isinstance(e.get("code"), str)
    ]


def read(response: httpx.Response) -> Any:
    """The JSON of a 2xx answer, or the tillsync error its status stands for.

    The message names Square's error codes and the field, never the detail text whole (it
    can echo what we sent, a customer's name or phone among it).
    """
    if not 200 <= response.status_code < 300:
        classify(response, detail=_detail(response))
    return decode_json(response)


def _detail(response: httpx.Response) -> str | None:
    try:
        payload = json.loads(response.content) if response.content.strip() else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    codes = error_codes(payload)
    if not codes or not isinstance(payload, dict):
        return None
    first = payload["errors"][0]
    field = first.get("field") if isinstance(first, dict) else None
    field = field if isinstance(field, str) and len(field) <= _MAX_FIELD else None
    text = ", ".join(codes) + (f" (field {field})" if field else "")
    return text[:_MAX_DETAIL]
