"""The emulator's logs: each call it answered and each webhook try it made."""

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
    code: int | None
    """The error code inside the answer, None on success."""
    account: str | None
    token_hint: str
    """The token's last four characters: enough to tell tokens apart, never the token."""
    throttled: bool


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    time: dt.datetime
    hook_id: int
    account: str
    object: str
    object_id: int
    action: str
    url: str
    attempt: int
    status: int | None
    error: str | None
