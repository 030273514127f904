"""Square, declared: a POS reached with an OAuth access token, at one of the merchant's
locations, and, where a tenant chooses it, the tenant's stock source."""

from __future__ import annotations

from tillsync.connectors.contract import (
    Connector,
    CredentialField,
    Link,
    Provider,
    WebhookAuth,
)
from tillsync.connectors.grants import ACCESS_TOKEN, REFRESH_TOKEN, TOKEN_EXPIRES_AT
from tillsync.connectors.oauth import Bearer
from tillsync.connectors.square.client import DEFAULT_BASE_URL, SquareClient
from tillsync.connectors.square.deliveries import SquareDeliveries
from tillsync.connectors.square.oauth import MERCHANT_ID, OAUTH
from tillsync.connectors.square.pos import SquarePos
from tillsync.connectors.square.settings import SquareSettings
from tillsync.connectors.square.warehouse import SquareWarehouse

NAME = "square"


def _open(link: Link) -> Connector:
    client = SquareClient(
        link.http,
        base_url=link.base_url,
        bearer=Bearer(link),
        gate=link.gate,
    )
    settings = SquareSettings.model_validate(link.settings.model_dump())
    pos = SquarePos(client, settings)
    return Connector(check=pos.account, pos=pos, warehouse=SquareWarehouse(client, settings))


PROVIDER = Provider(
    name=NAME,
    title="Square",
    # A POS by default; a tenant may also choose it as its stock source (the warehouse role).
    roles=frozenset({"pos", "warehouse"}),
    default_roles=frozenset({"pos"}),
    credentials=(
        CredentialField(MERCHANT_ID, "merchant_id", secret=False, masked=False),
        CredentialField(ACCESS_TOKEN, "access_token"),
        CredentialField(REFRESH_TOKEN, "refresh_token"),
        CredentialField(TOKEN_EXPIRES_AT, "token_expires_at", secret=False, masked=False),
    ),
    settings=SquareSettings,
    open=_open,
    default_base_url=DEFAULT_BASE_URL,
    # Square publishes no limit: the contract's generous default, a setting can lower it.
    # No `webhook_types`: those are the hooks the hub registers and watches per connection,
    # and a Square subscription is the application's, made once with its signature key
    # (`webhook_signature_keys`) for `webhooks.WEBHOOK_TYPES`.
    webhook_auth=WebhookAuth.HMAC,
    deliveries=SquareDeliveries(),
    oauth=OAUTH,
)
