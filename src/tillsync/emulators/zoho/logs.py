"""The emulator's logs: each call it answered and each workflow webhook delivery it tried."""

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
    """The envelope's `code`, when the answer had one."""
    organization_id: str | None
    token_hint: str
    """The token's last four characters: enough to tell tokens apart, never the token."""
    throttled: bool
    query: str = ""


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    time: dt.datetime
    webhook_id: str
    entity: str
    entity_id: str
    url: str
    attempt: int
    status: int | None
    error: str | None
