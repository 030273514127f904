"""A running hub over real HTTP on loopback, and API clients of its tenants."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx

from tillsync.api.app import create_app
from tillsync.bootstrap import Hub
from tillsync.clock import Clock
from tillsync.config import Settings
from tillsync.connectors.outbound import tls_context
from tillsync.services.tenants import create_tenant
from tillsync.serving import serve as serve_app


@dataclass
class RunningHub:
    url: str
    hub: Hub

    @asynccontextmanager
    async def tenant(self, name: str = "Fade Factory") -> AsyncIterator[TenantClient]:
        created = await create_tenant(self.hub.uows, name=name)
        headers = {"Authorization": f"Bearer {created.api_key}"}
        async with httpx.AsyncClient(
            verify=tls_context(), base_url=self.url, headers=headers, timeout=30
        ) as http:
            yield TenantClient(tenant_id=created.tenant_id, api_key=created.api_key, http=http)


@dataclass
class TenantClient:
    tenant_id: str
    api_key: str
    http: httpx.AsyncClient

    async def sale_sync(self, body: dict[str, object]) -> httpx.Response:
        return await self.http.post("/api/cin7/sale-sync", json=body)


@asynccontextmanager
async def running_hub(
    settings: Settings, *, clock: Clock | None = None
) -> AsyncIterator[RunningHub]:
    app = create_app(settings, clock=clock)
    async with serve_app(app) as url:
        settings.public_url = url  # webhooks registered from here must reach this server
        yield RunningHub(url=url, hub=app.state.hub)
