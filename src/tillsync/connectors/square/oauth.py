"""Square's OAuth, declared: code flow with JSON token requests, revoke by the app's secret.

Square's token answer is `{access_token, token_type, expires_at, merchant_id,
refresh_token}`; an access token lives 30 days and the code flow's refresh token is
multi-use, so the scheduled duty renews a week ahead. Revoking asks with
`Authorization: Client <secret>` and ends every token of the merchant for the app.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from tillsync.clock import moment_of
from tillsync.connectors.grants import ClientApp, OAuth, Revocation, Tokens

__all__ = ["MERCHANT_ID", "OAUTH", "SCOPES"]

MERCHANT_ID = "merchant_id"
SCOPES = ("ORDERS_READ", "ORDERS_WRITE", "ITEMS_READ", "MERCHANT_PROFILE_READ")


def read_tokens(answer: Mapping[str, object]) -> Tokens:
    expires = answer.get("expires_at")
    return Tokens(
        access_token=str(answer["access_token"]),
        refresh_token=str(answer.get("refresh_token") or ""),
        expires_at=moment_of(str(expires)) if expires else None,
        account_id=str(answer.get(MERCHANT_ID) or ""),
    )


def revocation(app: ClientApp, access_token: str) -> Revocation:
    return Revocation(
        headers={"Authorization": f"Client {app.client_secret}"},
        body={"client_id": app.client_id, "access_token": access_token},
    )


OAUTH = OAuth(
    authorize_path="/oauth2/authorize",
    token_path="/oauth2/token",  # noqa: S106 (a path, not a password)
    read_tokens=read_tokens,
    scopes=SCOPES,
    authorize_params=(("session", "false"),),
    grant_encoding="json",
    revoke_path="/oauth2/revoke",
    revocation=revocation,
    account_field=MERCHANT_ID,
    refresh_ahead=dt.timedelta(days=7),
)
