"""Tally's OAuth, declared: its paths, how its token answer reads, how it revokes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from tillsync.connectors.grants import ClientApp, OAuth, Revocation, Tokens

ACCOUNT = "account_id"


def read_tokens(answer: Mapping[str, object]) -> Tokens:
    expires = answer.get("expires_at")
    return Tokens(
        access_token=str(answer["access_token"]),
        refresh_token=str(answer.get("refresh_token") or ""),
        expires_at=dt.datetime.fromisoformat(str(expires).replace("Z", "+00:00"))
        if expires
        else None,
        account_id=str(answer.get("account_id") or ""),
    )


def revocation(app: ClientApp, access_token: str) -> Revocation:
    return Revocation(
        headers={"Authorization": f"Client {app.client_secret}"},
        body={"client_id": app.client_id, "access_token": access_token},
    )


OAUTH = OAuth(
    authorize_path="/oauth/authorize",
    token_path="/oauth/token",
    read_tokens=read_tokens,
    scopes=("INVOICES_READ", "INVOICES_WRITE"),
    revoke_path="/oauth/revoke",
    revocation=revocation,
    account_field=ACCOUNT,
    refresh_ahead=dt.timedelta(minutes=30),
)
