"""A hub beside a served Poster emulator: one tenant, the hub's application at Poster (its
webhooks sent to the hub), and a restaurant with the demo back office that installed it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
from sqlalchemy import select

from tests.support.depot_world import FAST
from tests.support.ordering import HubAtHand
from tests.support.secrets import remember
from tillsync.api.app import create_app
from tillsync.bootstrap import Hub
from tillsync.config import OAuthApp, Settings
from tillsync.connectors.outbound import tls_context
from tillsync.emulators.poster import Connected, PosterState, create_poster_emulator
from tillsync.providers import default_providers
from tillsync.services.connections.settings import update_settings
from tillsync.services.tenants import create_tenant
from tillsync.serving import serve
from tillsync.store.tables import InboxEntry, Record

LOGIN = "mykava"
RECEIVER = "/api/poster/webhooks"  # seed 002's; the same receiver as /api/webhooks/poster


@dataclass
class PosterWorld(HubAtHand):
    api: httpx.AsyncClient
    tenant_id: str
    url: str
    emulator: str
    poster: PosterState
    account: Connected

    @property
    def secret(self) -> str:
        return self.poster.application.application_secret

    async def connect_token(self, **extra: Any) -> httpx.Response:
        """Connect with the account's personal token; its login for the webhooks."""
        keys = {"access_token": self.account.access_token, "account": LOGIN, **extra}
        answer = await self.api.put("/api/connections/poster", json={"credentials": keys})
        if answer.status_code == 200:  # the budget out of the way, retries at once
            await update_settings(
                self.hub.services, tenant_id=self.tenant_id, provider="poster", given=FAST
            )
        return answer

    async def consent(self) -> dict[str, str]:
        """Poster's redirect back to the hub after the merchant consents."""
        answer = await self.api.get("/api/v1/pos/oauth/poster/authorize")
        assert answer.status_code == 302, answer.text
        consent = answer.headers["location"]
        assert consent.startswith(self.emulator + "/api/auth?")
        async with httpx.AsyncClient(timeout=10) as browser:
            back = await browser.get(consent)
        assert back.status_code == 302, back.text
        return {k: v[0] for k, v in parse_qs(urlsplit(back.headers["location"]).query).items()}

    async def callback(self, query: dict[str, str]) -> httpx.Response:
        async with httpx.AsyncClient(verify=tls_context(), base_url=self.url, timeout=10) as b:
            answer = await b.get("/api/v1/pos/oauth/poster/callback?" + urlencode(query))
        remember(*self.poster.tokens.access)
        return answer

    async def change(self, verb: str, path: str, body: dict[str, Any] | None = None) -> None:
        """A back-office change on the emulator's control surface (it sends its hook)."""
        async with httpx.AsyncClient(base_url=self.emulator + "/_emulator", timeout=10) as c:
            url = f"/accounts/{LOGIN}/{path}"
            answer = await c.request(verb, url, json=body)
        assert answer.status_code == 200, answer.text

    async def records(self, entity: str, **query: Any) -> dict[str, Any]:
        answer = await self.api.get(f"/api/connections/poster/records/{entity}", params=query)
        assert answer.status_code == 200, answer.text
        found: dict[str, Any] = answer.json()
        return found

    async def stored(self, entity: str) -> dict[str, Record]:
        async with self.hub.uows.read() as session:
            rows = await session.scalars(select(Record).where(Record.entity == entity))
            return {row.external_id: row for row in rows}

    async def inbox(self) -> list[InboxEntry]:
        async with self.hub.uows.read() as session:
            return list(await session.scalars(select(InboxEntry)))

    async def post_hook(self, body: bytes) -> httpx.Response:
        async with httpx.AsyncClient(base_url=self.url, timeout=10) as poster:
            return await poster.post(
                RECEIVER, content=body, headers={"content-type": "application/json"}
            )


@asynccontextmanager
async def poster_world(settings: Settings) -> AsyncIterator[PosterWorld]:
    state = PosterState()
    account = state.create_account(login=LOGIN, company_name="My Kava")
    state.seed_demo(LOGIN)
    state.update_settings(time_scale=0.0001)  # Poster's retries after a failed try: at once
    application = state.application
    remember(account.access_token, application.application_secret)
    async with serve(create_poster_emulator(state)) as emulator:
        settings.provider_urls = {**settings.provider_urls, "poster": emulator}
        settings.oauth_apps = {
            **settings.oauth_apps,
            "poster": OAuthApp(
                client_id=application.application_id,
                client_secret=application.application_secret,
            ),
        }
        app = create_app(settings, providers=default_providers())
        async with serve(app) as url:
            settings.public_url = url
            state.configure_application(webhook_url=url + RECEIVER)
            hub: Hub = app.state.hub
            tenant = await create_tenant(hub.uows, name="My Kava")
            remember(tenant.api_key)
            headers = {"Authorization": f"Bearer {tenant.api_key}"}
            async with httpx.AsyncClient(
                verify=tls_context(), base_url=url, headers=headers, timeout=30
            ) as api:
                yield PosterWorld(hub, api, tenant.tenant_id, url, emulator, state, account)
