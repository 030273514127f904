"""How the CRM says no: `{success: false, error, field}` bodies mapped onto tillsync errors.

401, 403        AuthFailed   the API key is wrong or revoked
400, 404, 422   Permanent    a field the CRM refused, an Idempotency-Key reused
408, 409, 429   Retryable    (429 as Throttled, with Retry-After when given)
5xx             Retryable    the CRM is down or failing
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import httpx

from tillsync.connectors.http import classify, decode_json

__all__ = ["error_detail", "read"]

_MAX_DETAIL = 300


def error_detail(payload: Any) -> str | None:
    """The CRM's message and field, cut short; None when the body says nothing usable."""
    if not isinstance(payload, dict):
        return None
    message = payload.get("error") or payload.get("message")
    if not isinstance(message, str) or not message.strip():
        return None
    text = " ".join(message.split())
    field = payload.get("field")
    if isinstance(field, str) and field.strip():
        text = f"{text} (field {field.strip()[:100]})"
    return text if len(text) <= _MAX_DETAIL else text[: _MAX_DETAIL - 1] + "…"


def read(response: httpx.Response, *, now: dt.datetime | None = None) -> Any:
    """The JSON of a 2xx answer, or the error the answer stands for."""
    if not 200 <= response.status_code < 300:
        classify(response, detail=error_detail(_lenient_json(response)), now=now)
    return decode_json(response)


def _lenient_json(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content) if response.content.strip() else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
