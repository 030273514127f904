"""Access tokens (`{account_number}:{32 hex}`, two years, no refresh) and OAuth codes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from tillsync.emulators.poster.errors import (
    BAD_CODE,
    BAD_TOKEN,
    EXPIRED_TOKEN,
    NO_TOKEN,
    AuthError,
    PosterError,
)
from tillsync.emulators.poster.wire import hex_token

APPLICATION = "application"
PERSONAL = "personal"


@dataclass(slots=True)
class Access:
    token: str
    account: str
    kind: str
    """`application` (from the OAuth exchange) or `personal` (Access → Integrations)."""
    expires_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    account: str
    redirect_uri: str
    expires_at: dt.datetime


@dataclass(slots=True)
class Tokens:
    access: dict[str, Access] = field(default_factory=dict)
    codes: dict[str, Code] = field(default_factory=dict)

    def issue(
        self,
        *,
        account: str,
        number: str,
        kind: str,
        expires_at: dt.datetime,
        token: str | None = None,
    ) -> Access:
        value = token or f"{number}:{hex_token()}"
        if value in self.access:
            raise ValueError("access token already in use")
        access = Access(value, account, kind, expires_at)
        self.access[value] = access
        return access

    def check(self, token: str, *, now: dt.datetime) -> Access:
        """The live token, or Poster's error 10 (none), 11 (unknown) or 12 (expired)."""
        if not token:
            raise PosterError(NO_TOKEN, "Access token is empty")
        access = self.access.get(token)
        if access is None:
            raise PosterError(BAD_TOKEN, "Bad access token")
        if access.expires_at <= now:
            raise PosterError(EXPIRED_TOKEN, "Access token expired")
        return access

    def issue_code(self, *, account: str, redirect_uri: str, expires_at: dt.datetime) -> Code:
        code = Code(hex_token(), account, redirect_uri, expires_at)
        self.codes[code.code] = code
        return code

    def redeem_code(self, code: str, *, redirect_uri: str | None, now: dt.datetime) -> Code:
        """A code works once, before it expires, with the redirect URI it was issued for."""
        found = self.codes.get(code)
        if found is None or found.expires_at <= now:
            raise AuthError(BAD_CODE, "invalid_grant", "Code is invalid or expired")
        if redirect_uri is not None and redirect_uri != found.redirect_uri:
            raise AuthError(BAD_CODE, "invalid_grant", "redirect_uri does not match")
        del self.codes[code]
        return found

    def expire(self, *, now: dt.datetime, token: str | None, account: str | None) -> int:
        """Make live tokens expired now: one token, an account's, or every one."""
        ended = 0
        for access in self.access.values():
            if token is not None and access.token != token:
                continue
            if account is not None and access.account != account:
                continue
            access.expires_at = now
            ended += 1
        return ended
