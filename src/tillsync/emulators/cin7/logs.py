"""The emulator's logs: each call it answered and each webhook delivery it tried."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CallRecord:
    time: dt.datetime
    method: str
    path: str
    application_key: str
    status: int
    throttled: bool
    query: str = ""
    """The query string as sent, so a test can see which filters and pages a caller asked."""


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    time: dt.datetime
    account_id: str
    webhook_id: str
    type: str
    url: str
    attempt: int
    status: int | None
    error: str | None
