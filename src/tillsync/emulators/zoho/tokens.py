"""OAuth grants: codes, access and refresh tokens, expiry, revocation and the token throttle.

A grant is one account's consent to the application; it holds one refresh token (it never
expires unless revoked) and the access tokens issued under it, each living an hour. Zoho
allows a refresh token only so many new access tokens in a window; `refresh_allowed`
keeps that count. A token the control surface hands out has no refresh token and no expiry.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import deque
from dataclasses import dataclass, field

from tillsync.emulators.zoho.errors import AccountsError, not_authorized


def _token() -> str:
    return f"1000.{secrets.token_hex(16)}.{secrets.token_hex(16)}"


@dataclass(slots=True)
class Grant:
    account_id: str
    scopes: tuple[str, ...]
    refresh_token: str | None
    revoked: bool = False
    refreshes: deque[dt.datetime] = field(default_factory=deque)


@dataclass(slots=True)
class AccessToken:
    token: str
    grant: Grant
    expires_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    account_id: str
    scopes: tuple[str, ...]
    redirect_uri: str
    expires_at: dt.datetime


@dataclass(slots=True)
class Tokens:
    access: dict[str, AccessToken] = field(default_factory=dict)
    refresh: dict[str, Grant] = field(default_factory=dict)
    codes: dict[str, Code] = field(default_factory=dict)

    def issue_code(
        self,
        *,
        account_id: str,
        scopes: tuple[str, ...],
        redirect_uri: str,
        expires_at: dt.datetime,
    ) -> Code:
        code = Code(_token(), account_id, scopes, redirect_uri, expires_at)
        self.codes[code.code] = code
        return code

    def redeem_code(self, code: str, *, redirect_uri: str | None, now: dt.datetime) -> Code:
        """A code works once, before it expires, with the redirect URI it was issued for."""
        found = self.codes.get(code)
        if found is None or found.expires_at <= now:
            raise AccountsError("invalid_code")
        if redirect_uri is not None and redirect_uri != found.redirect_uri:
            raise AccountsError("invalid_redirect_uri")
        del self.codes[code]
        return found

    def new_grant(self, account_id: str, scopes: tuple[str, ...], *, refreshable: bool) -> Grant:
        refresh = _token() if refreshable else None
        grant = Grant(account_id, scopes, refresh)
        if refresh is not None:
            self.refresh[refresh] = grant
        return grant

    def grant_of_refresh(self, refresh_token: str) -> Grant:
        grant = self.refresh.get(refresh_token)
        if grant is None or grant.revoked:
            raise AccountsError("invalid_code")
        return grant

    def refresh_allowed(
        self, grant: Grant, *, now: dt.datetime, limit: int | None, window_seconds: float
    ) -> bool:
        """Count one refresh unless `limit` refreshes already fell within the window."""
        start = now - dt.timedelta(seconds=window_seconds)
        while grant.refreshes and grant.refreshes[0] <= start:
            grant.refreshes.popleft()
        if limit is not None and len(grant.refreshes) >= limit:
            return False
        grant.refreshes.append(now)
        return True

    def issue(
        self, grant: Grant, *, expires_at: dt.datetime | None, token: str | None = None
    ) -> AccessToken:
        access = AccessToken(token or _token(), grant, expires_at)
        self.access[access.token] = access
        return access

    def check(self, token: str, *, now: dt.datetime) -> AccessToken:
        """The live access token behind `token`, or Zoho's code 57."""
        access = self.access.get(token)
        if access is None or access.grant.revoked:
            raise not_authorized()
        if access.expires_at is not None and access.expires_at <= now:
            raise not_authorized()
        return access

    def revoke(self, token: str) -> bool:
        """A refresh token ends its grant and every access token under it; an access token
        ends alone."""
        grant = self.refresh.get(token)
        if grant is not None:
            grant.revoked = True
            return True
        return self.access.pop(token, None) is not None

    def expire(self, *, now: dt.datetime, token: str | None, account_id: str | None) -> int:
        """Make live access tokens expired now: one token, an account's, or every one."""
        ended = 0
        for access in self.access.values():
            if token is not None and access.token != token:
                continue
            if account_id is not None and access.grant.account_id != account_id:
                continue
            access.expires_at = now
            ended += 1
        return ended
