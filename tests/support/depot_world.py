"""A hub with Depot connected through its API, as the acceptance tests of issue 11 drive it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import select

from tests.support.depot import PROVIDER as DEPOT
from tests.support.depot import ServedDepot
from tests.support.ordering import HubAtHand
from tests.support.secrets import remember
from tillsync.api.app import create_app
from tillsync.bootstrap import Hub
from tillsync.config import Settings
from tillsync.connectors.outbound import tls_context
from tillsync.providers import default_providers
from tillsync.services.tenants import create_tenant
from tillsync.serving import serve
from tillsync.store.tables import Job

LOCATION = "Main"
FAST = {"rate_limit": {"calls": 100_000, "window_seconds": 1}, "retry_interval_seconds": 0.05}
"""The budget out of the way (a test of the budget sets its own), retries at once."""


@dataclass
class DepotWorld(HubAtHand):
    url: str
    depot: ServedDepot
    tenant_id: str

    @property
    def account_id(self) -> str:
        return self.depot.account_id

    def seed(self, stock: dict[str, int], *, location: str = LOCATION) -> None:
        """Products with these SKUs at Depot, and their stock at `location`."""
        for sku, on_hand in stock.items():
            self.depot.state.seed_product(self.account_id, sku=sku, name=f"Item {sku}")
            self.depot.state.set_stock(
                self.account_id, sku=sku, location=location, on_hand=Decimal(on_hand)
            )

    async def connect(self, settings: dict[str, Any] | None = None) -> dict[str, Any]:
        """Connect through `PUT /api/connections/depot` with the account's keys; its answer."""
        body = {
            "credentials": {"accountId": self.account_id, "apiKey": self.depot.api_key},
            "url": self.depot.url,
            "settings": {**FAST, **(settings or {})},
        }
        answer = await self.api.put("/api/connections/depot", json=body)
        assert answer.status_code == 200, answer.text
        shown: dict[str, Any] = answer.json()
        return shown

    async def pull(self, mode: str) -> str:
        """Ask for a pull through the API; its run id."""
        answer = await self.api.post("/api/connections/depot/sync", json={"mode": mode})
        assert answer.status_code == 202, answer.text
        run_id: str = answer.json()["runId"]
        return run_id

    async def run(self, run_id: str) -> dict[str, Any]:
        answer = await self.api.get(f"/api/connections/depot/runs/{run_id}")
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body

    async def finished(self, run_id: str, *, within: float = 10.0) -> dict[str, Any]:
        """Work until the run's job has ended (a failed attempt that will retry has not);
        the run's answer."""

        async def ended() -> dict[str, Any] | None:
            shown = await self.run(run_id)
            async with self.hub.uows.read() as session:
                state = await session.scalar(select(Job.state).where(Job.id == shown["jobId"]))
            return shown if state in ("success", "failed") else None

        result: dict[str, Any] = await self.work_until(ended, within=within)
        return result


@asynccontextmanager
async def depot_world(settings: Settings, depot: ServedDepot) -> AsyncIterator[DepotWorld]:
    """The hub with Depot in its registry, served so Depot's webhooks reach it, one tenant."""
    app = create_app(settings, providers=default_providers().adding(DEPOT))
    async with serve(app) as url:
        settings.public_url = url  # webhooks registered from here must reach this server
        hub: Hub = app.state.hub
        tenant = await create_tenant(hub.uows, name="Depot Shop", default_location=LOCATION)
        remember(tenant.api_key)
        headers = {"Authorization": f"Bearer {tenant.api_key}"}
        async with httpx.AsyncClient(
            verify=tls_context(), base_url=url, headers=headers, timeout=30
        ) as api:
            yield DepotWorld(hub, api, url, depot, tenant.tenant_id)
