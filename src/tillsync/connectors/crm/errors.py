"""How the CRM says no: its status mapped onto tillsync errors, its words never repeated.

401, 403        AuthFailed   the API key is wrong or revoked
400, 404, 422   Permanent    a field the CRM refused, an Idempotency-Key reused
408, 409, 429   Retryable    (429 as Throttled, with Retry-After when given)
5xx             Retryable    the CRM is down or failing

The CRM's address is set by a tenant, and whatever answers there is not ours to repeat:
an error names our request and the status it got, never a message, field or page of the
answer (the tenant's job history and the connection test would show it back to them).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx

from tillsync.connectors.http import classify, decode_json

__all__ = ["read"]


def read(response: httpx.Response, *, now: dt.datetime | None = None) -> Any:
    """The JSON of a 2xx answer, or the error the answer stands for."""
    if not 200 <= response.status_code < 300:
        classify(response, now=now)
    return decode_json(response)
