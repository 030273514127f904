"""Zoho Inventory, declared: a POS reached through OAuth at the account's data centre, one
organization per connection, 100 calls a minute and a day's quota per organization."""

from __future__ import annotations

from urllib.parse import urlsplit

from tillsync.connectors.budget import RateLimit, Window
from tillsync.connectors.contract import Connector, CredentialField, Link, Provider, WebhookAuth
from tillsync.connectors.grants import ACCESS_TOKEN, REFRESH_TOKEN, TOKEN_EXPIRES_AT
from tillsync.connectors.http import classify, send
from tillsync.connectors.oauth import Bearer
from tillsync.connectors.zoho.client import DEFAULT_BASE_URL, ZohoClient
from tillsync.connectors.zoho.oauth import (
    ACCOUNTS_SERVER,
    API_DOMAIN,
    LOCATION,
    OAUTH,
    accounts_base,
    api_base,
)
from tillsync.connectors.zoho.pos import ZohoPos
from tillsync.connectors.zoho.settings import DAILY_QUOTA, ZohoSettings
from tillsync.connectors.zoho.warehouse import ZohoWarehouse
from tillsync.connectors.zoho.webhooks import SECRET_HEADER, ZohoDeliveries

NAME = "zoho"
REVOKE_PATH = "/oauth/v2/token/revoke"


def _open(link: Link) -> Connector:
    settings = ZohoSettings.model_validate(link.settings.model_dump())
    client = ZohoClient(
        link.http,
        base_url=api_base(link.base_url, link.credentials),
        organization_id=settings.organization_id,
        bearer=Bearer(link),
        gate=link.gate,
    )
    pos = ZohoPos(client, settings)

    async def revoke() -> None:
        """Revoke the refresh token, which ends the grant and every access token under it
        (revoking an access token would leave the grant alive)."""
        token = link.credentials.get(REFRESH_TOKEN) or link.credentials.get(ACCESS_TOKEN)
        if not token:
            return
        base = accounts_base(link.base_url, link.credentials)
        if not urlsplit(base).netloc:
            return
        request = link.http.build_request("POST", base + REVOKE_PATH, data={"token": token})
        classify(await send(link.http, request))

    return Connector(
        check=pos.account, revoke=revoke, pos=pos, warehouse=ZohoWarehouse(client, settings)
    )


PROVIDER = Provider(
    name=NAME,
    title="Zoho Inventory",
    # A connection is a POS unless it is chosen to be its tenant's stock source as well.
    roles=frozenset({"pos", "warehouse"}),
    default_roles=frozenset({"pos"}),
    credentials=(
        CredentialField(ACCESS_TOKEN, "access_token"),
        # A token without a refresh token (one a self client made) serves until it lapses.
        CredentialField(REFRESH_TOKEN, "refresh_token", required=False),
        CredentialField(TOKEN_EXPIRES_AT, "token_expires_at", secret=False, masked=False),
        CredentialField(
            ACCOUNTS_SERVER, ACCOUNTS_SERVER, secret=False, masked=False, required=False
        ),
        CredentialField(LOCATION, LOCATION, secret=False, masked=False, required=False),
        CredentialField(API_DOMAIN, API_DOMAIN, secret=False, masked=False, required=False),
    ),
    settings=ZohoSettings,
    open=_open,
    default_base_url=DEFAULT_BASE_URL,
    rate_limit=RateLimit(
        calls=100,
        window_seconds=60.0,
        per=("organization_id",),
        # A fifth of the day's quota is kept for order pushes: pulls and checks stop first.
        windows=(Window(DAILY_QUOTA, 86_400.0, name="day", setting="daily_quota", reserve=0.2),),
    ),
    webhook_auth=WebhookAuth.BEARER,
    webhook_header=SECRET_HEADER,
    deliveries=ZohoDeliveries(),
    oauth=OAUTH,
)
