"""How Dine says no (assumed): `{"error": {"code", "message", "field"?}}` with its status.

401, 403        AuthFailed   the API key is wrong or revoked
400, 404, 422   Permanent    a body refused, a menu item unknown, an Idempotency-Key reused
408, 409        Retryable
429             Throttled    with the wait its Retry-After gives
5xx             Retryable

A message names the error's `code` and `field`, never its `message` (it can echo what we
sent, a customer's name or phone among it).
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

from tillsync.connectors.http import classify, decode_json

__all__ = ["error_code", "read"]

_TOKEN = re.compile(r"[A-Za-z0-9_.\[\]-]{1,100}")


def error_code(payload: Any) -> str | None:
    error = payload.get("error") if isinstance(payload, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    return code if isinstance(code, str) and _TOKEN.fullmatch(code) else None


def read(response: httpx.Response) -> Any:
    """The JSON of a 2xx answer, or the tillsync error its status stands for."""
    if not 200 <= response.status_code < 300:
        classify(response, detail=_detail(response))
    return decode_json(response)


def _detail(response: httpx.Response) -> str | None:
    try:
        payload = json.loads(response.content) if response.content.strip() else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    code = error_code(payload)
    if code is None or not isinstance(payload, dict):
        return None
    field = payload["error"].get("field")
    shown = isinstance(field, str) and _TOKEN.fullmatch(field)
    return code + (f" (field {field})" if shown else "")
