"""A hub connected to the Square emulator on loopback, with one tenant and its orders."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from tests.support.depot_world import FAST
from tests.support.ordering import OrderingApp, order_body
from tests.support.secrets import remember
from tests.support.square import Emulated
from tests.support.till.world import FAST_POS
from tillsync.api.app import create_app
from tillsync.bootstrap import Hub
from tillsync.config import OAuthApp, Settings
from tillsync.connectors.outbound import tls_context
from tillsync.emulators.square.tokens import DEFAULT_SCOPES
from tillsync.providers import default_providers
from tillsync.services.connections.settings import update_settings
from tillsync.services.tenants import create_tenant
from tillsync.serving import serve


@dataclass
class SquareWorld(OrderingApp):
    square: Emulated
    tenant_id: str
    url: str

    @property
    def orders(self) -> dict[str, dict[str, Any]]:
        """The orders the emulated seller has, by Square id."""
        return self.square.state.merchant(self.square.seller.merchant_id).orders

    def order(self, order_id: str, **changes: Any) -> dict[str, Any]:
        return order_body(self.tenant_id, order_id, **changes)

    async def connect_fast(self, **extra: Any) -> None:
        """Connect with an OAuth grant of the emulated seller; retries due at once, no rate
        budget."""
        seller, tokens = self.square.seller, self.square.state.tokens
        grant = tokens.new_grant(seller.merchant_id, DEFAULT_SCOPES, refreshable=True)
        access = tokens.issue(grant, expires_at=None).token
        assert grant.refresh_token is not None
        remember(access, grant.refresh_token)
        body = {
            "business_id": self.tenant_id,
            "provider": "square",
            "access_token": access,
            "refresh_token": grant.refresh_token,
            "location_id": seller.location_id,
            "merchant_id": seller.merchant_id,
            **extra,
        }
        answer = await self.api.post("/api/v1/pos/connect", json=body)
        assert answer.status_code == 200, answer.text
        await update_settings(
            self.hub.services, tenant_id=self.tenant_id, provider="square", given=FAST | FAST_POS
        )

    async def connect_stock_source(self, **settings: Any) -> httpx.Response:
        """Connect the emulated seller as the tenant's POS and stock source (its grant)."""
        seller, tokens = self.square.seller, self.square.state.tokens
        grant = tokens.new_grant(seller.merchant_id, DEFAULT_SCOPES, refreshable=True)
        access = tokens.issue(grant, expires_at=None).token
        assert grant.refresh_token is not None
        remember(access, grant.refresh_token)
        body = {
            "credentials": {
                "merchant_id": seller.merchant_id,
                "access_token": access,
                "refresh_token": grant.refresh_token,
                "token_expires_at": "never",
            },
            "roles": ["pos", "warehouse"],
            "settings": {
                "location_id": seller.location_id,
                **FAST,
                **FAST_POS,
                **settings,
            },
        }
        return await self.api.put("/api/connections/square", json=body)


@asynccontextmanager
async def square_world(settings: Settings, square: Emulated) -> AsyncIterator[SquareWorld]:
    remember(square.seller.access_token, square.state.application.client_secret)
    settings.provider_urls = {**settings.provider_urls, "square": square.url}
    application = square.state.application
    settings.oauth_apps = {
        **settings.oauth_apps,
        "square": OAuthApp(
            client_id=application.client_id, client_secret=application.client_secret
        ),
    }
    app = create_app(settings, providers=default_providers())
    async with serve(app) as url:
        settings.public_url = url
        hub: Hub = app.state.hub
        tenant = await create_tenant(hub.uows, name="Demo Kitchen", default_location="Main")
        remember(tenant.api_key)
        headers = {"Authorization": f"Bearer {tenant.api_key}"}
        async with httpx.AsyncClient(
            verify=tls_context(), base_url=url, headers=headers, timeout=30
        ) as api:
            yield SquareWorld(hub, api, square, tenant.tenant_id, url)
