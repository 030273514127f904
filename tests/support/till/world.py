"""A hub built with Till (the tests' POS) and Depot, both served on loopback, and a tenant."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from tests.support.depot import PROVIDER as DEPOT
from tests.support.depot import ServedDepot
from tests.support.depot_world import FAST, LOCATION, DepotWorld
from tests.support.ordering import OrderingApp
from tests.support.secrets import remember
from tests.support.till import PROVIDER as TILL
from tests.support.till import ServedTill
from tillsync.api.app import create_app
from tillsync.bootstrap import Hub
from tillsync.config import Settings
from tillsync.connectors.outbound import tls_context
from tillsync.providers import default_providers
from tillsync.services.connections.settings import update_settings
from tillsync.services.tenants import create_tenant
from tillsync.serving import serve

FAST_POS = {"retry_interval_seconds": 0.01, "throttle_base_seconds": 0.01}


@dataclass
class TillWorld(OrderingApp):
    till: ServedTill
    tenant_id: str
    depot: DepotWorld

    def order(self, order_id: str, **changes: Any) -> dict[str, Any]:
        """A valid order body of this business, with `changes` applied."""
        body: dict[str, Any] = {
            "business_id": self.tenant_id,
            "order_id": order_id,
            "currency": "INR",
            "items": [
                {
                    "dish_id": "dish-1",
                    "name": "Paneer Butter Masala",
                    "quantity": 2,
                    "unit_price": 300,
                    "note": "Extra spicy",
                }
            ],
            "special_instructions": "Ring twice",
            "customer": {"name": "Asha", "phone": "+91 98765 43210"},
        }
        return body | changes

    async def connect(self, **extra: Any) -> httpx.Response:
        body = {
            "business_id": self.tenant_id,
            "provider": "till",
            "access_token": self.till.state.access_token,
            "location_id": "LOC-1",
            "merchant_id": "M-1",
            **extra,
        }
        return await self.api.post("/api/v1/pos/connect", json=body)

    async def connect_fast(self, **extra: Any) -> None:
        """Connect, with retries due at once and the rate budget out of the way."""
        answer = await self.connect(**extra)
        assert answer.status_code == 200, answer.text
        await update_settings(
            self.hub.services, tenant_id=self.tenant_id, provider="till", given=FAST | FAST_POS
        )


@asynccontextmanager
async def till_world(
    settings: Settings, till: ServedTill, depot: ServedDepot
) -> AsyncIterator[TillWorld]:
    remember(till.state.access_token, depot.api_key)
    settings.provider_urls = {**settings.provider_urls, "till": till.url}
    app = create_app(settings, providers=default_providers().adding(DEPOT, TILL))
    async with serve(app) as url:
        settings.public_url = url
        hub: Hub = app.state.hub
        tenant = await create_tenant(hub.uows, name="Till Cafe", default_location=LOCATION)
        remember(tenant.api_key)
        headers = {"Authorization": f"Bearer {tenant.api_key}"}
        async with httpx.AsyncClient(
            verify=tls_context(), base_url=url, headers=headers, timeout=30
        ) as api:
            depot_world = DepotWorld(hub, api, url, depot, tenant.tenant_id)
            yield TillWorld(hub, api, till, tenant.tenant_id, depot_world)
