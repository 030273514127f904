"""The request id of the work in hand: an HTTP request, or a job that a request queued.

Set by the API for each request (its `X-Request-ID` when well-formed, else a new one), kept
with every job the request queues, and set again while the job runs, so one id joins the
request's access-log line to the log lines of the work it caused.
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

HEADER = "X-Request-ID"
WELL_FORMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
"""What a caller's id may be: up to 64 characters that need no escaping in any log."""

current: ContextVar[str | None] = ContextVar("tillsync_request_id", default=None)


def accept(value: str | None) -> str:
    """The caller's id if it is well-formed, else a new one."""
    if value is not None and WELL_FORMED.fullmatch(value):
        return value
    return uuid.uuid4().hex
