"""tillsync sandbox: the hub and every emulator on loopback, three demo businesses connected.

The barbershop keeps its stock in CIN7, invoices its regulars in the CRM and takes online
orders to Square; the cafe keeps its stock in Zoho Inventory and takes online orders to Dine;
the restaurant's back office (suppliers, ingredients, storages) is in Poster.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from rich.console import Console
from sqlalchemy import or_, select

from tillsync.api.app import create_app
from tillsync.bootstrap import Hub
from tillsync.config import Settings
from tillsync.emulators.cin7 import Cin7State, create_cin7_emulator
from tillsync.emulators.crm import CrmState, create_crm_emulator
from tillsync.emulators.dine import create_dine_emulator
from tillsync.emulators.poster import create_poster_emulator
from tillsync.emulators.square import create_square_emulator
from tillsync.emulators.zoho import create_zoho_emulator
from tillsync.sandbox.banner import welcome
from tillsync.sandbox.businesses import BARBERSHOP, CAFE, RESTAURANT, Business, business
from tillsync.sandbox.cafe import open_cafe, watching_cafe
from tillsync.sandbox.catalog import CAFE as CAFE_SHELF
from tillsync.sandbox.cin7 import API as CIN7_API
from tillsync.sandbox.cin7 import cin7_demo, connect_cin7
from tillsync.sandbox.dine import API as DINE_API
from tillsync.sandbox.dine import DineDemo, dine_demo
from tillsync.sandbox.follow import watching
from tillsync.sandbox.manifest import manifest_path, write_manifest
from tillsync.sandbox.poster import (
    PosterDemo,
    manage_restaurant,
    open_restaurant,
    poster_demo,
    with_poster,
)
from tillsync.sandbox.simulation import simulate_day
from tillsync.sandbox.square import SquareDemo, connect_square, square_demo, with_square_app
from tillsync.sandbox.zoho import ZohoDemo, with_zoho, zoho_demo
from tillsync.services.connections.lifecycle import connect
from tillsync.services.tenants import create_tenant
from tillsync.serving import listening_socket, serve
from tillsync.store.tables import Job

console = Console(highlight=False)
DEMO_RETRY = {"retry_interval_seconds": 5}
"""The demo's connections retry a failed call after 5 s, so a retry is seen to recover; a
real connection keeps seed 004's schedule (every 5 minutes for an hour)."""
READY_SECONDS = 60.0
FIRST_SYNCS = (".sync_catalog", ".sync_records")
"""The kinds of a stock source's pull and of a back office's records sync (after the
provider's name), queued by connecting."""
CAFE_LOCATION = "Cafe Counter"
"""The cafe's one location in Zoho, and the default of its stock checks and sales."""


@dataclass(frozen=True)
class Sandbox:
    hub_url: str
    api_key: str
    tenant_id: str
    cin7_url: str
    cin7_account_id: str
    cin7_application_key: str
    hub: Hub
    cin7: Cin7State
    crm_url: str
    crm_api_key: str
    crm: CrmState
    square: SquareDemo | None = None
    dine: DineDemo | None = None
    zoho: ZohoDemo | None = None
    poster: PosterDemo | None = None
    businesses: tuple[Business, ...] = ()
    """The barbershop (the top-level key and tenant), then the cafe, then the restaurant."""

    @property
    def cafe(self) -> Business | None:
        return next((b for b in self.businesses if b.name == CAFE), None)

    @property
    def restaurant(self) -> Business | None:
        return next((b for b in self.businesses if b.name == RESTAURANT), None)

    @property
    def cin7_control(self) -> str:
        """The CIN7 emulator's control surface (seed, inspect, faults)."""
        return self.cin7_url.removesuffix(CIN7_API) + "/_emulator"

    def manifest(self) -> dict[str, Any]:
        settings = self.hub.settings
        return {
            "hub_url": self.hub_url,
            "api_key": self.api_key,
            "tenant_id": self.tenant_id,
            "database_url": settings.database_url,
            "data_dir": str(settings.data_dir.resolve()),
            "emulators": {
                "cin7": {
                    "url": self.cin7_url,
                    "account_id": self.cin7_account_id,
                    "application_key": self.cin7_application_key,
                },
                "crm": {"url": self.crm_url, "api_key": self.crm_api_key},
                **({"square": self.square.manifest()} if self.square else {}),
                **({"dine": self.dine.manifest()} if self.dine else {}),
                **({"zoho": self.zoho.manifest()} if self.zoho else {}),
                **({"poster": self.poster.manifest()} if self.poster else {}),
            },
            "businesses": [b.manifest() for b in self.businesses],
        }


def prepare_state_dir(settings: Settings, state_dir: Path) -> Settings:
    """A clean state folder, with a fresh SQLite file unless a database URL was given.

    The file's path is absolute, so the manifest leads other commands to it from anywhere.
    """
    state_dir.mkdir(parents=True, exist_ok=True)
    manifest_path(state_dir).unlink(missing_ok=True)
    if settings.database_url:
        return settings
    database = state_dir.resolve() / "sandbox.db"
    for stale in state_dir.glob("sandbox.db*"):
        stale.unlink()
    return settings.model_copy(update={"database_url": f"sqlite:///{database}"})


@asynccontextmanager
async def open_sandbox(settings: Settings, *, state_dir: Path) -> AsyncIterator[Sandbox]:
    """Start everything, connect the demo businesses, wait for their catalogs; then yield.

    The emulators listen on loopback, so the hub is let call private addresses.
    """
    settings = prepare_state_dir(settings, state_dir)
    settings = settings.model_copy(update={"allow_private_addresses": True})
    # Webhooks need the hub's address before it is built: its port is taken first, so no
    # emulator, nor any other program, can take it meanwhile.
    held = listening_socket(settings.host, settings.port)
    settings = settings.model_copy(update={"port": held.getsockname()[1]})
    cin7 = Cin7State()
    credentials = cin7_demo(cin7)
    crm = CrmState()
    crm_key = crm.add_key()
    square = square_demo(settings, business_name=BARBERSHOP)
    dine = dine_demo(name=CAFE)
    zoho = zoho_demo(name=CAFE, location=CAFE_LOCATION, items=CAFE_SHELF)
    poster = poster_demo(name=RESTAURANT)
    async with AsyncExitStack() as stack:
        stack.callback(held.close)
        cin7_url = await stack.enter_async_context(serve(create_cin7_emulator(cin7)))
        crm_url = await stack.enter_async_context(serve(create_crm_emulator(crm)))
        square_app = create_square_emulator(square.state)
        square = replace(square, url=await stack.enter_async_context(serve(square_app)))
        dine_url = await stack.enter_async_context(serve(create_dine_emulator(dine.state)))
        dine = replace(dine, url=dine_url + DINE_API)
        zoho_url = await stack.enter_async_context(serve(create_zoho_emulator(zoho.state)))
        zoho = replace(zoho, accounts_url=zoho_url)
        poster_url = await stack.enter_async_context(serve(create_poster_emulator(poster.state)))
        poster = replace(poster, url=poster_url)
        # Other businesses connect Dine and Zoho through the hub: it must know where.
        urls = {**settings.provider_urls, "dine": dine.url}
        given = settings.model_copy(update={"provider_urls": urls})
        app = create_app(with_poster(with_zoho(with_square_app(given, square), zoho), poster))
        hub_url = await stack.enter_async_context(serve(app, sock=held))
        hub: Hub = app.state.hub
        tenant = await create_tenant(hub.uows, name=BARBERSHOP)
        await connect_cin7(
            hub.services,
            credentials,
            url=cin7_url + CIN7_API,
            tenant_id=tenant.tenant_id,
            settings=DEMO_RETRY,
        )
        await connect(
            hub.services,
            provider="crm",
            tenant_id=tenant.tenant_id,
            credentials={"api_key": crm_key},
            base_url=crm_url,
            settings=DEMO_RETRY,
            address_field="url",
        )
        await connect_square(hub.services, square, tenant_id=tenant.tenant_id, settings=DEMO_RETRY)
        cafe = await open_cafe(hub, zoho=zoho, dine=dine, retry=DEMO_RETRY)
        restaurant = await open_restaurant(hub, poster, hub_url=hub_url, retry=DEMO_RETRY)
        await _catalogs_synced(hub)
        barbershop = await business(
            hub, name=BARBERSHOP, tenant_id=tenant.tenant_id, api_key=tenant.api_key
        )
        sandbox = Sandbox(
            hub_url=hub_url,
            api_key=tenant.api_key,
            tenant_id=tenant.tenant_id,
            cin7_url=cin7_url + CIN7_API,
            cin7_account_id=credentials.account_id,
            cin7_application_key=credentials.application_key,
            hub=hub,
            cin7=cin7,
            crm_url=crm_url,
            crm_api_key=crm_key,
            crm=crm,
            square=square,
            dine=dine,
            zoho=zoho,
            poster=poster,
            businesses=(barbershop, cafe, restaurant),
        )
        write_manifest(state_dir, sandbox.manifest())
        yield sandbox


async def _catalogs_synced(hub: Hub) -> None:
    """Every stock source's first pull and every back office's first records sync have run:
    each business's stock is in the ledger, its records in the hub."""
    async with asyncio.timeout(READY_SECONDS):
        while True:
            async with hub.uows.read() as session:
                states = set(
                    await session.scalars(
                        select(Job.state).where(
                            or_(*(Job.kind.endswith(kind, autoescape=True) for kind in FIRST_SYNCS))
                        )
                    )
                )
            if states == {"success"}:
                return
            if "failed" in states:
                raise RuntimeError("a first catalog or records sync of the sandbox failed")
            await asyncio.sleep(0.1)


async def run_sandbox(
    settings: Settings, *, state_dir: Path, simulate: bool, pace: float, stop: asyncio.Event
) -> None:
    async with open_sandbox(settings, state_dir=state_dir) as sandbox:
        welcome(sandbox, console, state_dir=state_dir)
        cafe = sandbox.cafe
        assert cafe is not None
        async with (
            watching(sandbox, console) as watcher,
            watching_cafe(sandbox, cafe, console) as at_cafe,
        ):
            if simulate:
                days = [
                    asyncio.create_task(
                        simulate_day(sandbox, watcher, stop=stop, pace=pace, cafe=(cafe, at_cafe))
                    ),
                    asyncio.create_task(_restaurant_day(sandbox, stop=stop, pace=pace)),
                ]
                await stop.wait()
                for day in days:
                    day.cancel()
                await asyncio.gather(*days, return_exceptions=True)
            else:
                await stop.wait()
        console.print("\nStopping the sandbox…")


async def _restaurant_day(sandbox: Sandbox, *, stop: asyncio.Event, pace: float) -> None:
    restaurant = sandbox.restaurant
    if sandbox.poster is not None and restaurant is not None:
        await manage_restaurant(
            sandbox.hub, sandbox.poster, restaurant, console, stop=stop, pace=pace
        )
