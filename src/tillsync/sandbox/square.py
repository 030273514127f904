"""The sandbox's Square: an emulated seller with an OAuth grant, the application's webhook
subscription to the hub, whose signature key the hub is given, and the application itself
as the hub's OAuth app there, so another business can connect through the consent screen."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import SecretStr

from tillsync.config import OAuthApp, Settings
from tillsync.connectors.grants import Tokens
from tillsync.connectors.oauth import credentials_of
from tillsync.connectors.square.oauth import OAUTH
from tillsync.connectors.square.webhooks import WEBHOOK_TYPES
from tillsync.emulators.square import SquareState
from tillsync.emulators.square.tokens import DEFAULT_SCOPES
from tillsync.services.connections.lifecycle import connect
from tillsync.services.context import Services

NAME = "square"
TOKEN_DAYS = 30
"""Square's access token lifetime."""


@dataclass(frozen=True)
class SquareDemo:
    state: SquareState
    merchant_id: str
    location_id: str
    access_token: str
    refresh_token: str
    signature_key: str
    expires_at: dt.datetime
    url: str = ""

    def manifest(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "application_id": self.state.application.client_id,
            "application_secret": self.state.application.client_secret,
            "access_token": self.access_token,
            "location_id": self.location_id,
            "webhook_signature_key": self.signature_key,
        }


def square_demo(settings: Settings, *, business_name: str) -> SquareDemo:
    """A seller who granted the hub access, subscribed to the hub's receiver; the hub's
    `settings` learn the subscription's key."""
    state = SquareState()
    seller = state.create_merchant(business_name=business_name)
    grant = state.tokens.new_grant(seller.merchant_id, DEFAULT_SCOPES, refreshable=True)
    expires = state.clock.now() + dt.timedelta(days=TOKEN_DAYS)
    token = state.tokens.issue(grant, expires_at=expires)
    url = settings.resolved_public_url + f"/api/webhooks/{NAME}"
    key = state.subscribe(url, WEBHOOK_TYPES).signature_key
    settings.webhook_signature_keys = {**settings.webhook_signature_keys, NAME: SecretStr(key)}
    assert grant.refresh_token is not None
    return SquareDemo(
        state,
        seller.merchant_id,
        seller.location_id,
        token.token,
        grant.refresh_token,
        key,
        expires,
    )


def with_square_app(settings: Settings, demo: SquareDemo) -> Settings:
    """The hub's settings with the emulator as where Square is and its application as the
    hub's OAuth app there."""
    application = demo.state.application
    app = OAuthApp(client_id=application.client_id, client_secret=application.client_secret)
    return settings.model_copy(
        update={
            "provider_urls": {**settings.provider_urls, NAME: demo.url},
            "oauth_apps": {**settings.oauth_apps, NAME: app},
        }
    )


async def connect_square(
    services: Services, demo: SquareDemo, *, tenant_id: str, settings: Mapping[str, object]
) -> None:
    await connect(
        services,
        provider=NAME,
        tenant_id=tenant_id,
        credentials=credentials_of(
            Tokens(demo.access_token, demo.refresh_token, demo.expires_at, demo.merchant_id),
            OAUTH,
        ),
        base_url=demo.url,
        settings={**settings, "location_id": demo.location_id, "merchant_id": demo.merchant_id},
    )
