"""CIN7 Core, declared: a warehouse reached with an account id and an application key."""

from __future__ import annotations

from tillsync.connectors.budget import RateLimit
from tillsync.connectors.cin7.client import DEFAULT_BASE_URL, Cin7Client
from tillsync.connectors.cin7.deliveries import PRODUCT_EVENT, Cin7Deliveries
from tillsync.connectors.cin7.settings import Cin7Settings
from tillsync.connectors.cin7.warehouse import Cin7Warehouse
from tillsync.connectors.cin7.webhooks import STOCK_EVENT
from tillsync.connectors.contract import Connector, CredentialField, Link, Provider, WebhookAuth

NAME = "cin7"
WEBHOOK_TYPES = (STOCK_EVENT, PRODUCT_EVENT, "Sale/ShipmentAuthorised")


def _open(link: Link) -> Connector:
    client = Cin7Client(
        link.http,
        base_url=link.base_url,
        account_id=link.credentials["account_id"],
        application_key=link.credentials["application_key"],
        gate=link.gate,
    )
    warehouse = Cin7Warehouse(client, Cin7Settings.model_validate(link.settings.model_dump()))
    return Connector(check=warehouse.account, warehouse=warehouse)


PROVIDER = Provider(
    name=NAME,
    title="CIN7",
    roles=frozenset({"warehouse"}),
    credentials=(
        CredentialField("account_id", "accountId", secret=False),
        CredentialField("application_key", "apiKey"),
    ),
    settings=Cin7Settings,
    open=_open,
    default_base_url=DEFAULT_BASE_URL,
    # 60 calls a minute per API application: the pair of keys, not the account.
    rate_limit=RateLimit(calls=60, window_seconds=60.0, per=("account_id", "application_key")),
    webhook_types=WEBHOOK_TYPES,
    webhook_auth=WebhookAuth.BEARER,
    webhook_path="/api/cin7/webhook",  # seed 001's receiver
    deliveries=Cin7Deliveries(),
)
