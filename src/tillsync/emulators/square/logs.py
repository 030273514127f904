"""The emulator's logs: each call it answered and each webhook delivery it tried."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CallRecord:
    time: dt.datetime
    method: str
    path: str
    status: int
    """0 when the connection was dropped instead of answered."""
    merchant_id: str | None
    token_hint: str
    """The token's last four characters: enough to tell tokens apart, never the token."""
    throttled: bool
    query: str = ""
    idempotency_key: str | None = None


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    time: dt.datetime
    subscription_id: str
    event_id: str
    type: str
    url: str
    attempt: int
    status: int | None
    error: str | None
