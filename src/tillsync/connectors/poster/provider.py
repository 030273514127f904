"""Poster POS, declared: a restaurant's POS whose back office (suppliers, ingredients,
storages, ingredient categories) the hub keeps as records, and, where a tenant chooses it,
its stock source (ingredient leftovers per storage); connected through OAuth or a personal
token, its md5-signed webhooks telling of changes."""

from __future__ import annotations

import datetime as dt

from tillsync.clock import moment_of
from tillsync.connectors.budget import RateLimit
from tillsync.connectors.contract import (
    Account,
    Connector,
    CredentialField,
    Link,
    Provider,
    WebhookAuth,
)
from tillsync.connectors.grants import ACCESS_TOKEN, TOKEN_EXPIRES_AT
from tillsync.connectors.poster.client import DEFAULT_BASE_URL, PosterClient
from tillsync.connectors.poster.mapping import ENTITIES, STORAGES
from tillsync.connectors.poster.oauth import ACCOUNT, ACCOUNT_NUMBER, OAUTH, TOKEN_LIFE
from tillsync.connectors.poster.records import PosterRecords
from tillsync.connectors.poster.warehouse import PosterWarehouse
from tillsync.connectors.poster.webhooks import PosterDeliveries
from tillsync.connectors.settings import PosSettings

NAME = "poster"
RATE_LIMIT = RateLimit(calls=5, window_seconds=1.0)
"""Poster publishes no limit; the notes' GUESS (about 5 a second), lowered or raised by the
connection's `rate_limit` setting."""


def _open(link: Link) -> Connector:
    settings = PosSettings.model_validate(link.settings.model_dump())
    token = link.credentials.get(ACCESS_TOKEN, "")
    client = PosterClient(link.http, base_url=link.base_url, token=token, gate=link.gate)

    async def check() -> Account:
        """One cheap call proves the token; the account's login (from the consent callback)
        is what its webhooks name, and a token with no known expiry lives two years."""
        await client.call(STORAGES.listing)
        login = link.credentials.get(ACCOUNT, "")
        number = link.credentials.get(ACCOUNT_NUMBER) or token.split(":", 1)[0]
        filled: dict[str, object] = {}
        if login:
            filled["merchant_id"] = login
        expiry = moment_of(link.credentials.get(TOKEN_EXPIRES_AT, ""))
        if expiry is None and settings.token_expires_at is None:
            filled["token_expires_at"] = (dt.datetime.now(dt.UTC) + TOKEN_LIFE).isoformat()
        return Account(name=f"Poster account {login or number}", settings=filled)

    return Connector(check=check, records=PosterRecords(client), warehouse=PosterWarehouse(client))


PROVIDER = Provider(
    name=NAME,
    title="Poster",
    # No incoming orders yet: an order must not come here. Records by default; a tenant may
    # also choose it as its stock source (the warehouse role).
    roles=frozenset({"records", "warehouse"}),
    default_roles=frozenset({"records"}),
    credentials=(
        CredentialField(ACCESS_TOKEN, "access_token"),
        CredentialField(
            TOKEN_EXPIRES_AT, "token_expires_at", secret=False, masked=False, required=False
        ),
        CredentialField(ACCOUNT, ACCOUNT, secret=False, masked=False, required=False),
        CredentialField(ACCOUNT_NUMBER, ACCOUNT_NUMBER, secret=False, masked=False, required=False),
    ),
    settings=PosSettings,
    open=_open,
    default_base_url=DEFAULT_BASE_URL,
    rate_limit=RATE_LIMIT,
    webhook_auth=WebhookAuth.HMAC,
    webhook_path="/api/poster/webhooks",  # seed 002's receiver
    webhook_status=200,  # Poster retries, and holds back newer hooks, on anything else
    deliveries=PosterDeliveries(),
    oauth=OAUTH,
    record_entities=tuple(ENTITIES),
    unhooked_entities=tuple(name for name, entity in ENTITIES.items() if entity.hook is None),
)
