"""The dashboard's session: a signed cookie naming the tenant and the key's row, never the key.

The cookie is signed (not encrypted) with keys the vault derives for this purpose, so the
browser can read what it holds and nothing else: a tenant id, an API key's row id, the
session's CSRF token and when it was issued. It is HttpOnly and SameSite=Lax, and Secure
when the hub's public address is https. A session older than `MAX_AGE` is over, and the
key it names is looked up again on every request (`auth.py`), so revoking the key ends it.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, replace
from typing import Any

from itsdangerous import BadData, URLSafeSerializer
from starlette.responses import Response

from tillsync.clock import Clock

COOKIE = "tillsync_session"
PURPOSE = "tillsync.dashboard.session"
MAX_AGE = dt.timedelta(hours=12)
SKEW = dt.timedelta(minutes=1)
"""A session issued this far in the future still counts: hosts' clocks differ a little."""


@dataclass(frozen=True, slots=True)
class Session:
    csrf: str
    """The token every form and htmx request of this session sends back."""
    issued_at: dt.datetime
    tenant_id: str | None = None
    key_id: str | None = None

    @property
    def signed_in(self) -> bool:
        return self.tenant_id is not None and self.key_id is not None

    def signing_in(self, *, tenant_id: str, key_id: str, now: dt.datetime) -> Session:
        """The session after a sign-in: a new CSRF token, so one seen before is worthless."""
        return replace(fresh(now), tenant_id=tenant_id, key_id=key_id)


def fresh(now: dt.datetime) -> Session:
    return Session(csrf=secrets.token_urlsafe(32), issued_at=now)


class SessionCookies:
    """Writes and reads the session cookie with the vault's derived keys (current first)."""

    def __init__(self, keys: list[bytes], clock: Clock, *, secure: bool) -> None:
        # itsdangerous signs with the last key and verifies with any of them
        self._serializer = URLSafeSerializer(list(reversed(keys)), salt=COOKIE)
        self.clock = clock
        self.secure = secure

    def dumps(self, session: Session) -> str:
        data: dict[str, Any] = {"csrf": session.csrf, "at": session.issued_at.timestamp()}
        if session.signed_in:
            data |= {"tenant": session.tenant_id, "key": session.key_id}
        return str(self._serializer.dumps(data))

    def loads(self, cookie: str | None) -> Session | None:
        """The session a cookie holds, or None when it is absent, forged, damaged or old."""
        try:
            data = self._serializer.loads(cookie or "")
            session = Session(
                csrf=_text(data["csrf"]),
                issued_at=dt.datetime.fromtimestamp(float(data["at"]), dt.UTC),
                tenant_id=_text(data["tenant"]) if "tenant" in data else None,
                key_id=_text(data["key"]) if "key" in data else None,
            )
        except (BadData, KeyError, TypeError, ValueError, OverflowError):
            return None
        if not -SKEW <= self.clock.now() - session.issued_at <= MAX_AGE:
            return None
        return session

    def write(self, response: Response, session: Session) -> None:
        response.set_cookie(
            COOKIE,
            self.dumps(session),
            max_age=int(MAX_AGE.total_seconds()),
            path="/",
            httponly=True,
            samesite="lax",
            secure=self.secure,
        )

    def clear(self, response: Response) -> None:
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax", secure=self.secure)


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("a session's field is not text")
    return value
