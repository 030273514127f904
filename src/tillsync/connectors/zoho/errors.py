"""How Zoho says no: HTTP status and the envelope's `code`, both read, `message` never.

    HTTP 401, or code 57    AuthFailed   an expired or revoked token: `Bearer` renews once
    HTTP 403                AuthFailed
    HTTP 429                Throttled    the minute's limit or the day's quota
    HTTP 5xx, 408, 409      Retryable
    other 4xx               Permanent    a body refused, an unknown item or organization
    HTTP 2xx with code ≠ 0  by its code: 57 AuthFailed, 1000 (internal) Retryable,
                            any other Permanent (a refusal inside a 200 is never a success)

A message names the code, never Zoho's `message` (it can echo what we sent, a customer's
name among it).
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from tillsync.connectors.http import classify, decode_json, describe
from tillsync.errors import AuthFailed, Permanent, Retryable

__all__ = ["INTERNAL", "NOT_AUTHORIZED", "envelope_code", "read"]

NOT_AUTHORIZED = 57
INTERNAL = 1000


def envelope_code(payload: Any) -> int | None:
    """The envelope's `code` when it is a number; None when the body has none."""
    code = payload.get("code") if isinstance(payload, dict) else None
    return code if isinstance(code, int) and not isinstance(code, bool) else None


def read(response: httpx.Response) -> Any:
    """The JSON of a successful answer (code 0), or the tillsync error it stands for."""
    if not 200 <= response.status_code < 300:
        code = _code_of(response)
        if code == NOT_AUTHORIZED:
            raise AuthFailed(
                f"{describe(response.request)} answered HTTP {response.status_code}: code 57",
                status=response.status_code,
            )
        classify(response, detail=None if code is None else f"code {code}")
    answer = decode_json(response)
    code = envelope_code(answer)
    if code is None or code == 0:
        return answer
    message = f"{describe(response.request)} answered HTTP {response.status_code} with code {code}"
    if code == NOT_AUTHORIZED:
        raise AuthFailed(message, status=response.status_code)
    if code == INTERNAL:
        raise Retryable(message, status=response.status_code)
    raise Permanent(message, status=response.status_code)


def _code_of(response: httpx.Response) -> int | None:
    try:
        payload = json.loads(response.content) if response.content.strip() else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return envelope_code(payload)
