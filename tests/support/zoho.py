"""A served Zoho Inventory emulator on a settable clock, with one organization per test."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx

from tillsync.clock import FakeClock
from tillsync.emulators.zoho import Connected, ItemSeed, ZohoState, create_zoho_emulator
from tillsync.serving import serve

BEGIN = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
API = "/inventory/v1"
ITEMS = (
    ItemSeed("Beard Oil", "OIL-1", Decimal("12.50"), {"": Decimal(10)}),
    ItemSeed("Comb", "COMB-1", Decimal("3.00"), {"": Decimal(40)}),
)


@dataclass
class Served:
    """The emulator and one client for each of its faces, kept for a whole module."""

    url: str
    state: ZohoState
    clock: FakeClock
    api: httpx.AsyncClient
    control: httpx.AsyncClient
    accounts: httpx.AsyncClient

    def fresh(self) -> Connected:
        """Back to one organization with two items, on the clock's starting moment."""
        self.state.reset()
        self.clock.set(BEGIN)
        connected = self.state.create_organization(name="Fade Street", plan="premium")
        self.state.seed_items(connected.organization_id, ITEMS)
        return connected


@asynccontextmanager
async def zoho_emulator() -> AsyncIterator[Served]:
    clock = FakeClock(BEGIN)
    state = ZohoState(clock=clock)
    async with (
        serve(create_zoho_emulator(state)) as url,
        httpx.AsyncClient(base_url=url + API, timeout=10) as api,
        httpx.AsyncClient(base_url=url + "/_emulator", timeout=10) as control,
        httpx.AsyncClient(base_url=url, timeout=10) as accounts,
    ):
        yield Served(url, state, clock, api, control, accounts)


@dataclass
class World:
    served: Served
    org: Connected
    api: httpx.AsyncClient
    control: httpx.AsyncClient
    accounts: httpx.AsyncClient

    @property
    def org_id(self) -> str:
        return self.org.organization_id

    async def get(self, path: str, **query: Any) -> httpx.Response:
        return await self.api.get(path, params={"organization_id": self.org_id, **query})

    async def post(self, path: str, body: dict[str, Any], **query: Any) -> httpx.Response:
        params = {"organization_id": self.org_id, **query}
        return await self.api.post(path, json=body, params=params)

    def item_id(self, sku: str) -> str:
        items = self.served.state.organization(self.org_id).items.values()
        return next(item.id for item in items if item.sku == sku)


def world_of(served: Served) -> World:
    """A fresh organization, whose token the API client now sends."""
    org = served.fresh()
    served.api.headers["Authorization"] = f"Zoho-oauthtoken {org.access_token}"
    return World(served, org, served.api, served.control, served.accounts)


def envelope_code(response: httpx.Response) -> int:
    code = response.json()["code"]
    assert isinstance(code, int)
    return code
