"""Depot, declared: a warehouse reached with an account id and an API key."""

from __future__ import annotations

from tests.support.depot.client import DEFAULT_BASE_URL, DepotClient
from tests.support.depot.events import DepotDeliveries
from tests.support.depot.settings import DepotSettings
from tests.support.depot.warehouse import DepotWarehouse
from tests.support.depot.webhooks import EVENT_TYPES
from tillsync.connectors.budget import RateLimit
from tillsync.connectors.contract import Connector, CredentialField, Link, Provider, WebhookAuth

RATE_CALLS, RATE_WINDOW_SECONDS = 120, 60.0
"""Depot's published limit, counted per account (all of its keys together)."""


def _open(link: Link) -> Connector:
    client = DepotClient(
        link.http,
        base_url=link.base_url,
        api_key=link.credentials["api_key"],
        account_id=link.credentials["account_id"],
        gate=link.gate,
        policy=link.policy,
    )
    warehouse = DepotWarehouse(client, DepotSettings.model_validate(link.settings.model_dump()))
    return Connector(check=warehouse.account, warehouse=warehouse)


PROVIDER = Provider(
    name="depot",
    title="Depot",
    roles=frozenset({"warehouse"}),
    credentials=(
        CredentialField("account_id", "accountId", secret=False, masked=False),
        CredentialField("api_key", "apiKey"),
    ),
    settings=DepotSettings,
    open=_open,
    default_base_url=DEFAULT_BASE_URL,
    rate_limit=RateLimit(calls=RATE_CALLS, window_seconds=RATE_WINDOW_SECONDS, per=("account_id",)),
    webhook_types=EVENT_TYPES,
    webhook_auth=WebhookAuth.BEARER,
    deliveries=DepotDeliveries(),
)
