"""A hub that knows Tally, a Tally emulator, and a tenant who connects through OAuth."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from sqlalchemy import select

from tests.support.ledger import seed_stock
from tests.support.secrets import remember
from tests.support.tally import CLIENT_ID, CLIENT_SECRET, PROVIDER, TallyState
from tests.support.tally.server import create_tally_server
from tillsync.api.app import create_app
from tillsync.bootstrap import Hub
from tillsync.clock import ShiftedClock
from tillsync.config import OAuthApp, Settings
from tillsync.connectors.outbound import tls_context
from tillsync.providers import default_providers
from tillsync.services.tenants import create_tenant
from tillsync.serving import serve
from tillsync.store.tables import Connection, Job, Notification, OAuthState

AUTHORIZE = "/api/v1/pos/oauth/tally/authorize"
CALLBACK = "/api/v1/pos/oauth/tally/callback"
SKU = "BOOK-1"


@dataclass
class TallyWorld:
    hub: Hub
    url: str
    tally: TallyState
    tally_url: str
    api: httpx.AsyncClient
    """The tenant's client of the hub (its key in `Authorization`); follows no redirect."""
    browser: httpx.AsyncClient
    """The merchant's browser: no key, follows no redirect."""
    tenant_id: str
    clock: ShiftedClock

    async def authorize(self) -> str:
        """Where the hub sends the merchant: the consent screen's address."""
        answer = await self.api.get(AUTHORIZE)
        assert answer.status_code == 302, answer.text
        return answer.headers["location"]

    async def consent(self) -> dict[str, str]:
        """The query the provider sends the browser back to the hub with (code, state)."""
        back = await self.browser.get(await self.authorize())
        assert back.status_code == 302, back.text
        location = back.headers["location"]
        assert location.startswith(self.url + CALLBACK)
        return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}

    async def callback(self, query: dict[str, str]) -> httpx.Response:
        return await self.browser.get(CALLBACK, params=query)

    async def connect(self) -> dict[str, Any]:
        answer = await self.callback(await self.consent())
        assert answer.status_code == 200, answer.text
        remember(*self.tally.access, *(grant.refresh_token for grant in self.tally.grants))
        body: dict[str, Any] = answer.json()
        return body

    async def connection(self) -> Connection | None:
        async with self.hub.uows.read() as session:
            return await session.scalar(
                select(Connection).where(
                    Connection.tenant_id == self.tenant_id, Connection.provider == "tally"
                )
            )

    async def notifications(self) -> list[Notification]:
        async with self.hub.uows.read() as session:
            rows = await session.scalars(
                select(Notification).where(Notification.tenant_id == self.tenant_id)
            )
            return list(rows)

    async def jobs(self, kind: str) -> list[Job]:
        async with self.hub.uows.read() as session:
            return list(await session.scalars(select(Job).where(Job.kind == kind)))

    async def sell(self, sale_id: str) -> None:
        """A paid sale of a known customer: Tally gets a `tally.create_invoice` job."""
        body = {
            "saleId": sale_id,
            "customerId": "cust-7",
            "customerName": "Ada Lovelace",
            "paymentMethod": "card",
            "items": [{"sku": SKU, "name": "Notebook", "quantity": 1, "price": 4.5}],
        }
        answer = await self.api.post("/api/sales", json=body)
        assert answer.status_code == 200, answer.text

    async def work(self) -> None:
        """Queue what is due now (scheduled duties included), and run every job due."""
        await self.hub.create_scheduler().tick()
        await self.hub.create_worker().run_until_idle()

    async def states(self) -> list[OAuthState]:
        async with self.hub.uows.read() as session:
            return list(await session.scalars(select(OAuthState)))


@asynccontextmanager
async def tally_world(settings: Settings) -> AsyncIterator[TallyWorld]:
    remember(CLIENT_SECRET)
    state = TallyState()
    clock = ShiftedClock()
    async with serve(create_tally_server(state)) as tally_url:
        settings.provider_urls = {"tally": tally_url}
        settings.oauth_apps = {"tally": OAuthApp(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)}
        app = create_app(settings, clock=clock, providers=default_providers().adding(PROVIDER))
        async with serve(app) as url:
            settings.public_url = url
            hub: Hub = app.state.hub
            tenant = await create_tenant(hub.uows, name="Tally Shop")
            remember(tenant.api_key)
            await seed_stock(hub, tenant.tenant_id, SKU, 1000)
            headers = {"Authorization": f"Bearer {tenant.api_key}"}
            async with (
                httpx.AsyncClient(
                    verify=tls_context(), base_url=url, headers=headers, timeout=30
                ) as api,
                httpx.AsyncClient(verify=tls_context(), base_url=url, timeout=30) as browser,
            ):
                yield TallyWorld(hub, url, state, tally_url, api, browser, tenant.tenant_id, clock)
