"""The sandbox's Poster: the demo restaurant's back office, kept by the hub as records.

The restaurant has installed the hub's application at Poster, so each change in its back
office sends a signed webhook to the hub (`/api/poster/webhooks`); it is connected with
its access token, and a sync of every entity is queued at once. During the simulated day
its manager adds an ingredient and renames a storage at Poster, and the hub's records
follow by webhook. Another business connects through the consent screen
(`GET /api/poster/oauth/authorize`: the hub has the emulator's application) or with a
token (`PUT /api/connections/poster`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from sqlalchemy import select

from tillsync.bootstrap import Hub
from tillsync.config import OAuthApp, Settings
from tillsync.emulators.poster import Connected, PosterState
from tillsync.sandbox.businesses import RESTAURANT, Business, business
from tillsync.sandbox.follow import say
from tillsync.services.connections.lifecycle import connect
from tillsync.services.record_freshness import sync_by_freshness
from tillsync.services.tenants import create_tenant
from tillsync.store.tables import Record

NAME = "poster"
LOGIN = "demo-bistro"
RECEIVER = "/api/poster/webhooks"
FOLLOW_SECONDS = 30.0
NEW_INGREDIENT = {"ingredient_name": "Oat milk", "category_id": "1", "ingredient_unit": "l"}
RENAMED_STORAGE = (2, {"storage_name": "Terrace bar"})


@dataclass(frozen=True)
class PosterDemo:
    state: PosterState
    account: Connected
    url: str = ""
    """The emulator's address: it plays every Poster host (`joinposter.com/api/…`)."""

    def manifest(self) -> dict[str, Any]:
        application = self.state.application
        return {
            "url": self.url,
            "account": LOGIN,
            "access_token": self.account.access_token,
            "application_id": application.application_id,
            "application_secret": application.application_secret,
        }


def poster_demo(*, name: str) -> PosterDemo:
    """The restaurant's account, our application installed, its back office seeded."""
    state = PosterState()
    account = state.create_account(login=LOGIN, company_name=name)
    state.seed_demo(LOGIN)
    return PosterDemo(state, account)


def with_poster(settings: Settings, demo: PosterDemo) -> Settings:
    """The hub's application at Poster (its secret signs the hooks) and Poster's address."""
    application = demo.state.application
    apps = {
        **settings.oauth_apps,
        NAME: OAuthApp(
            client_id=application.application_id,
            client_secret=application.application_secret,
        ),
    }
    urls = {**settings.provider_urls, NAME: demo.url}
    return settings.model_copy(update={"oauth_apps": apps, "provider_urls": urls})


async def open_restaurant(
    hub: Hub, demo: PosterDemo, *, hub_url: str, retry: Mapping[str, object]
) -> Business:
    """The restaurant's tenant, its hooks sent to the hub, Poster connected, every entity's
    first sync queued."""
    demo.state.configure_application(webhook_url=hub_url + RECEIVER)
    tenant = await create_tenant(hub.uows, name=RESTAURANT)
    await connect(
        hub.services,
        provider=NAME,
        tenant_id=tenant.tenant_id,
        credentials={"access_token": demo.account.access_token, "account": LOGIN},
        base_url=demo.url,
        settings=retry,
    )
    await sync_by_freshness(
        hub.services, tenant_id=tenant.tenant_id, provider=NAME, entities=None, force=True
    )
    return await business(hub, name=RESTAURANT, tenant_id=tenant.tenant_id, api_key=tenant.api_key)


async def manage_restaurant(
    hub: Hub,
    demo: PosterDemo,
    restaurant: Business,
    console: Console,
    *,
    stop: asyncio.Event,
    pace: float,
) -> None:
    """The manager's day at Poster: an ingredient added, a storage renamed; each change is
    followed to the hub's records."""
    await asyncio.sleep(pace * 3)
    if stop.is_set():
        return
    added = demo.state.add(LOGIN, "ingredients", NEW_INGREDIENT)
    name = NEW_INGREDIENT["ingredient_name"]
    say(console, f"[magenta]POSTER[/] the manager adds the ingredient {name}")
    await _followed(hub, console, restaurant, ("ingredients", str(added.id)), name)
    await asyncio.sleep(pace * 3)
    if stop.is_set():
        return
    storage_id, fields = RENAMED_STORAGE
    demo.state.change(LOGIN, "storages", storage_id, fields)
    renamed = fields["storage_name"]
    say(console, f"[magenta]POSTER[/] the manager renames a storage to {renamed}")
    await _followed(hub, console, restaurant, ("storages", str(storage_id)), renamed)


async def _followed(
    hub: Hub, console: Console, restaurant: Business, record: tuple[str, str], name: str
) -> None:
    entity, external_id = record
    began = time.monotonic()
    deadline = began + FOLLOW_SECONDS
    while time.monotonic() < deadline:
        async with hub.uows.read() as session:
            found = await session.scalar(
                select(Record.name).where(
                    Record.tenant_id == restaurant.tenant_id,
                    Record.entity == entity,
                    Record.external_id == external_id,
                )
            )
        if found == name:
            took = (time.monotonic() - began) * 1000
            say(console, f"[magenta]POSTER[/] {name} is in tillsync's {entity} ({took:.0f} ms)")
            return
        await asyncio.sleep(0.05)
    say(console, f"[red]POSTER[/] {name} did not reach tillsync's {entity} in time")
