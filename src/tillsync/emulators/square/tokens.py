"""OAuth grants: authorization codes, access and refresh tokens, expiry and revocation.

A grant is one merchant's consent to the application; it holds one refresh token (code
flow: multi-use, never expires, the same one returned on each refresh) and the access
tokens issued under it. Revoking the grant ends all of them. A personal access token
(what the control surface hands out) is a grant with no refresh token and no expiry.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field

from tillsync.emulators.square.errors import SquareError, unauthorized

DEFAULT_SCOPES = (
    "MERCHANT_PROFILE_READ",
    "ORDERS_READ",
    "ORDERS_WRITE",
    "ITEMS_READ",
    "ITEMS_WRITE",
    "INVENTORY_READ",
    "INVENTORY_WRITE",
)


@dataclass(slots=True)
class Grant:
    merchant_id: str
    scopes: tuple[str, ...]
    refresh_token: str | None
    revoked: bool = False


@dataclass(slots=True)
class AccessToken:
    token: str
    grant: Grant
    expires_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    merchant_id: str
    scopes: tuple[str, ...]
    redirect_uri: str | None
    expires_at: dt.datetime


@dataclass(slots=True)
class Tokens:
    access: dict[str, AccessToken] = field(default_factory=dict)
    refresh: dict[str, Grant] = field(default_factory=dict)
    codes: dict[str, Code] = field(default_factory=dict)

    def issue_code(
        self,
        *,
        merchant_id: str,
        scopes: tuple[str, ...],
        redirect_uri: str | None,
        expires_at: dt.datetime,
    ) -> Code:
        code = Code(
            "sq0cgb-" + secrets.token_urlsafe(16), merchant_id, scopes, redirect_uri, expires_at
        )
        self.codes[code.code] = code
        return code

    def redeem_code(self, code: str, *, redirect_uri: str | None, now: dt.datetime) -> Code:
        """A code works once, before it expires, with the redirect URI it was issued for."""
        found = self.codes.get(code)
        if found is None or found.expires_at <= now:
            raise unauthorized("UNAUTHORIZED", "The authorization code is not valid.")
        if found.redirect_uri is not None and redirect_uri != found.redirect_uri:
            raise SquareError(
                "The redirect_uri does not match the one of the authorization.",
                field="redirect_uri",
            )
        del self.codes[code]
        return found

    def new_grant(self, merchant_id: str, scopes: tuple[str, ...], *, refreshable: bool) -> Grant:
        refresh = "EQAA" + secrets.token_urlsafe(40) if refreshable else None
        grant = Grant(merchant_id, scopes, refresh)
        if refresh is not None:
            self.refresh[refresh] = grant
        return grant

    def issue(
        self, grant: Grant, *, expires_at: dt.datetime | None, token: str | None = None
    ) -> AccessToken:
        access = AccessToken(token or "EAAA" + secrets.token_urlsafe(40), grant, expires_at)
        self.access[access.token] = access
        return access

    def grant_of_refresh(self, refresh_token: str) -> Grant:
        grant = self.refresh.get(refresh_token)
        if grant is None:
            raise unauthorized("UNAUTHORIZED", "The refresh token is not valid.")
        if grant.revoked:
            raise unauthorized("ACCESS_TOKEN_REVOKED", "The refresh token has been revoked.")
        return grant

    def check(self, token: str, *, now: dt.datetime) -> AccessToken:
        """The live access token behind `token`, or Square's 401 saying why not."""
        access = self.access.get(token)
        if access is None:
            raise unauthorized()
        if access.grant.revoked:
            raise unauthorized("ACCESS_TOKEN_REVOKED")
        if access.expires_at is not None and access.expires_at <= now:
            raise unauthorized("ACCESS_TOKEN_EXPIRED")
        return access

    def revoke_merchant(self, merchant_id: str, *, only_access: bool = False) -> int:
        """Revoke the merchant's grants (or, with `only_access`, end their access tokens)."""
        ended = 0
        for access in list(self.access.values()):
            grant = access.grant
            if grant.merchant_id != merchant_id or grant.revoked:
                continue
            if only_access:
                del self.access[access.token]
            else:
                grant.revoked = True
            ended += 1
        return ended

    def expire(self, *, now: dt.datetime, token: str | None, merchant_id: str | None) -> int:
        """Make live access tokens expired now: one token, a merchant's, or every one."""
        ended = 0
        for access in self.access.values():
            if token is not None and access.token != token:
                continue
            if merchant_id is not None and access.grant.merchant_id != merchant_id:
                continue
            access.expires_at = now
            ended += 1
        return ended
