"""Dine, declared: a POS reached with an API key, to a contract tillsync assumes.

No public description of Dine's API exists. The contract the connector and the emulator
(`tillsync.emulators.dine`, whose docstring states it in full) share is ours: the key in
`X-Api-Key`, `POST /orders` with our order id as `Idempotency-Key` and `reference`,
`GET /orders?reference=`, a paged menu, `{"error": {"code", "message"}}` bodies, 60 calls a
minute with `Retry-After`. A real specification replaces this package and the emulator,
and nothing else.
"""

from __future__ import annotations

from tillsync.connectors.budget import RateLimit
from tillsync.connectors.contract import Connector, CredentialField, Link, Provider
from tillsync.connectors.dine.client import DEFAULT_BASE_URL, DineClient
from tillsync.connectors.dine.pos import DinePos
from tillsync.connectors.dine.settings import DineSettings

NAME = "dine"
API_KEY = "api_key"


def _open(link: Link) -> Connector:
    client = DineClient(
        link.http, base_url=link.base_url, api_key=link.credentials[API_KEY], gate=link.gate
    )
    pos = DinePos(client, DineSettings.model_validate(link.settings.model_dump()))
    return Connector(check=pos.account, pos=pos)


PROVIDER = Provider(
    name=NAME,
    title="Dine",
    roles=frozenset({"pos"}),
    credentials=(CredentialField(API_KEY, API_KEY),),
    settings=DineSettings,
    open=_open,
    default_base_url=DEFAULT_BASE_URL,
    # A key is one restaurant, and a connection holds one key: the budget is the connection's.
    rate_limit=RateLimit(calls=60, window_seconds=60.0),
)
