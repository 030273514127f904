"""Poster's OAuth, declared: the consent at `/api/auth`, the form-data code exchange at
`/api/v2/auth/access_token` with `application_id` and `application_secret`.

The callback adds `account` (the account's login, which its webhooks name), kept as a
credential. The answer gives `access_token` (`{account_number}:{hex}`) and
`account_number`, and no refresh token and no lifetime: Poster's tokens live two years,
so the expiry is set two years on, and the refresh duty, finding no refresh token when it
is due, marks the connection for a new authorisation (the seller is told).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from tillsync.connectors.grants import OAuth, Tokens
from tillsync.errors import AuthFailed

__all__ = ["ACCOUNT", "ACCOUNT_NUMBER", "OAUTH", "TOKEN_LIFE", "read_tokens"]

ACCOUNT, ACCOUNT_NUMBER = "account", "account_number"
TOKEN_LIFE = dt.timedelta(days=730)
_LOGIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")


def read_tokens(answer: Mapping[str, object]) -> Tokens:
    """`{access_token, account_number, user, ownerInfo}`; a refusal comes in a 200 as
    `{code, error_type, error_message}` and reads as no grant."""
    if "error_type" in answer or "error" in answer:
        raise AuthFailed("Poster refused the grant")
    token = answer.get("access_token")
    if not isinstance(token, str) or not token:
        raise ValueError("the token answer holds no access token")
    number = answer.get(ACCOUNT_NUMBER)
    return Tokens(
        access_token=token,
        refresh_token="",
        expires_at=dt.datetime.now(dt.UTC) + TOKEN_LIFE,
        extras={ACCOUNT_NUMBER: str(number)} if number not in (None, "") else {},
    )


def from_callback(params: Mapping[str, str], address: str) -> dict[str, str]:
    """The account's login the callback names; ValueError (naming it) if it is not one."""
    login = params.get(ACCOUNT, "")
    if not login:
        return {}
    if not _LOGIN.fullmatch(login):
        raise ValueError("account is not a Poster account login")
    return {ACCOUNT: login}


OAUTH = OAuth(
    authorize_path="/api/auth",
    token_path="/api/v2/auth/access_token",  # noqa: S106 (a path, not a password)
    read_tokens=read_tokens,
    grant_encoding="multipart",
    client_fields=("application_id", "application_secret"),
    refresh_ahead=dt.timedelta(0),
    from_callback=from_callback,
    callback_path="/api/poster/oauth/callback",  # seed 002's POSTER_REDIRECT_URI
)
