"""A hub beside a served Zoho Inventory emulator: one tenant, the hub's OAuth app at Zoho,
and a grant of the emulator's account to connect with through seed 004's connect."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx

from tests.support.depot_world import FAST
from tests.support.ordering import OrderingApp
from tests.support.secrets import remember
from tests.support.till.world import FAST_POS
from tillsync.api.app import create_app
from tillsync.bootstrap import Hub
from tillsync.config import OAuthApp, Settings
from tillsync.connectors.outbound import tls_context
from tillsync.emulators.zoho import Connected, ItemSeed, ZohoState, create_zoho_emulator
from tillsync.emulators.zoho.state import ALL_SCOPES
from tillsync.providers import default_providers
from tillsync.services.connections.settings import update_settings
from tillsync.services.tenants import create_tenant
from tillsync.serving import serve

API = "/inventory/v1"
ITEMS = (
    ItemSeed("Paneer Butter Masala", "PBM-1", Decimal("12.50"), {}),
    ItemSeed("Garlic Naan", "NAAN-1", Decimal("3.00"), {}),
)


@dataclass
class ZohoWorld(OrderingApp):
    tenant_id: str
    url: str
    emulator: str
    zoho: ZohoState
    org: Connected

    def grant(self) -> tuple[str, str]:
        """A fresh access and refresh token of the organization's account (no expiry)."""
        grant = self.zoho.tokens.new_grant(self.org.account_id, ALL_SCOPES, refreshable=True)
        access = self.zoho.tokens.issue(grant, expires_at=None).token
        assert grant.refresh_token is not None
        remember(access, grant.refresh_token)
        return access, grant.refresh_token

    async def connect(self, **extra: Any) -> httpx.Response:
        access, refresh = self.grant()
        body = {
            "business_id": self.tenant_id,
            "provider": "zoho",
            "access_token": access,
            "refresh_token": refresh,
            **extra,
        }
        return await self.api.post("/api/v1/pos/connect", json=body)

    async def connect_fast(self, **extra: Any) -> httpx.Response:
        answer = await self.connect(**extra)
        assert answer.status_code == 200, answer.text
        await update_settings(
            self.hub.services, tenant_id=self.tenant_id, provider="zoho", given=FAST | FAST_POS
        )
        return answer

    async def connect_stock_source(self) -> httpx.Response:
        """Connect the organization as the tenant's POS and stock source."""
        access, refresh = self.grant()
        body = {
            "credentials": {
                "access_token": access,
                "refresh_token": refresh,
                "expires_at": "never",
            },
            "roles": ["pos", "warehouse"],
            "settings": FAST | FAST_POS,
        }
        return await self.api.put("/api/connections/zoho", json=body)

    def calls(self, method: str, path: str) -> list[int]:
        return [
            c.status for c in self.zoho.calls_since() if (c.method, c.path) == (method, API + path)
        ]


@asynccontextmanager
async def zoho_world(settings: Settings) -> AsyncIterator[ZohoWorld]:
    state = ZohoState()
    org = state.create_organization(name="Dine Street Cafe")
    state.seed_items(org.organization_id, ITEMS)
    remember(org.access_token, state.application.client_secret)
    async with serve(create_zoho_emulator(state)) as emulator:
        settings.provider_urls = {**settings.provider_urls, "zoho": emulator + API}
        application = state.application
        settings.oauth_apps = {
            **settings.oauth_apps,
            "zoho": OAuthApp(
                client_id=application.client_id, client_secret=application.client_secret
            ),
        }
        app = create_app(settings, providers=default_providers())
        async with serve(app) as url:
            settings.public_url = url
            hub: Hub = app.state.hub
            tenant = await create_tenant(hub.uows, name="Dine Street Cafe")
            remember(tenant.api_key)
            headers = {"Authorization": f"Bearer {tenant.api_key}"}
            async with httpx.AsyncClient(
                verify=tls_context(), base_url=url, headers=headers, timeout=30
            ) as api:
                yield ZohoWorld(hub, api, tenant.tenant_id, url, emulator, state, org)
