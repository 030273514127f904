"""CSRF protection: every action of the dashboard sends back its session's token.

Forms carry it as the `csrf_token` field, htmx requests as the `X-CSRF-Token` header (set
once on the page's body with `hx-headers`). The cookie alone, which a browser attaches to
a forged cross-site post, is never enough.
"""

from __future__ import annotations

import hmac

from fastapi import Request
from fastapi.responses import JSONResponse

from tillsync.dashboard.sessions import Session

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"


class CsrfRefused(Exception):
    """An action without its session's CSRF token (or without a session at all)."""


async def check_csrf(request: Request, session: Session | None) -> None:
    sent = request.headers.get(HEADER)
    if sent is None:
        value = (await request.form()).get(FIELD)
        sent = value if isinstance(value, str) else None
    if session is None or not sent or not hmac.compare_digest(sent.encode(), session.csrf.encode()):
        raise CsrfRefused


async def refused(_: Request, __: Exception) -> JSONResponse:
    return JSONResponse(
        {
            "error": "csrf_refused",
            "message": f"{FIELD}: missing, or not this session's (reload the page and try again)",
            "field": FIELD,
        },
        status_code=403,
    )
