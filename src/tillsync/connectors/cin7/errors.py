"""How CIN7 Core says no: its error bodies, its three throttling styles, errors inside a 200."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import httpx

from tillsync.connectors.http import classify, decode_json, describe, error_class, retry_after
from tillsync.errors import Permanent, Throttled

__all__ = ["THROTTLE_TEXT", "error_message", "is_error_body", "read"]

# CIN7 throttles with 503, 429, or a 400 (even a 200) whose message says this. No Retry-After.
THROTTLE_TEXT = re.compile(r"calls per (minute|60 seconds)", re.IGNORECASE)
_THROTTLE_STATUSES = frozenset({429, 503})
_MAX_DETAIL = 300
_SCAN_CHARS = 4000


def is_error_body(payload: Any) -> bool:
    """True for `[{"ErrorCode": …, "Exception": …}]` or the bare object."""
    if isinstance(payload, list) and payload:
        payload = payload[0]
    return isinstance(payload, dict) and ("Exception" in payload or "ErrorCode" in payload)


def error_message(payload: Any) -> str | None:
    """The `Exception` texts of a CIN7 error body, joined and cut short; None if there are none."""
    items = payload if isinstance(payload, list) else [payload]
    texts = [
        str(item["Exception"]).strip()
        for item in items
        if isinstance(item, dict) and item.get("Exception")
    ]
    if not texts:
        return None
    text = "; ".join(texts)
    return text if len(text) <= _MAX_DETAIL else text[: _MAX_DETAIL - 1] + "…"


def read(response: httpx.Response, *, now: dt.datetime | None = None) -> Any:
    """The JSON of a successful CIN7 response, or the error it stands for.

    Order of judgement: throttling (by status, or by message on any error), then an error
    body inside a 2xx (its `ErrorCode` picks the class), then the shared status table, then a
    body that must be JSON.
    """
    status = response.status_code
    payload = _lenient_json(response)
    in_body = is_error_body(payload)
    code = _error_code(payload) if in_body else None
    failed = in_body or not 200 <= status < 300
    detail = error_message(payload) if in_body else None
    where = f"{describe(response.request)} answered HTTP {status}"
    throttled = status in _THROTTLE_STATUSES or code in _THROTTLE_STATUSES
    if throttled or (failed and _says_throttled(response, detail)):
        # CIN7 sends no Retry-After today; should it start to, its word wins.
        wait = retry_after(response, now=now)
        raise Throttled(f"{where}: rate limit reached", status=status, wait_seconds=wait)
    if in_body and 200 <= status < 300:
        cls = (error_class(code) if code is not None else None) or Permanent
        label = "an error body" if code is None else f"error {code} in its body"
        raise cls(f"{where} with {label}: {detail or 'no message'}", status=status)
    classify(response, detail=detail, now=now)
    if payload is None and response.content.strip():
        return decode_json(response)  # not JSON: raises
    return payload


def _lenient_json(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content) if response.content.strip() else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None


def _says_throttled(response: httpx.Response, detail: str | None) -> bool:
    if detail is not None:
        return bool(THROTTLE_TEXT.search(detail))
    return bool(THROTTLE_TEXT.search(response.text[:_SCAN_CHARS]))


def _error_code(payload: Any) -> int | None:
    first = payload[0] if isinstance(payload, list) else payload
    code = first.get("ErrorCode") if isinstance(first, dict) else None
    if isinstance(code, str) and code.strip().isdigit():
        code = int(code)
    if isinstance(code, int) and not isinstance(code, bool) and 100 <= code <= 599:
        return code
    return None
