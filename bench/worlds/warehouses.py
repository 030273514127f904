"""The warehouses a bench pulls from: CIN7 and Zoho Inventory, each at its own limit.

Each entry says how to open an account at its emulator, seed a catalog of generated
items, enforce the provider's limit (with the minute scaled), connect a tenant to it, and
tell the calls of a full pull apart in the emulator's call log.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs

import httpx

Row = Mapping[str, Any]
SEED_CHUNK = 5_000
DAILY_QUOTA = 1_000_000
"""Zoho's quota, set out of the way on both sides: a bench measures the minute's limit."""


@dataclass(frozen=True)
class Account:
    """The account a tenant connects with, and what the bench needs to reach it."""

    id: str
    credentials: dict[str, str]
    headers: dict[str, str]
    """The provider API's headers (a bench that reads the provider directly)."""
    settings: dict[str, Any] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    location_id: str = ""


@dataclass(frozen=True)
class Warehouse:
    name: str
    title: str
    api: str
    """The API's prefix under the emulator's URL."""
    calls_per_minute: int
    page_size: int
    open_account: Callable[[httpx.AsyncClient], Awaitable[Account]]
    generate: Callable[[httpx.AsyncClient, Account, int], Awaitable[dict[str, str]]]
    """Seed generated items with stock; the emulator's id of each SKU, where it says them."""
    limits: Callable[[float], dict[str, Any]]
    """The emulator's settings for the provider's limit over a minute of `window` seconds."""
    listing: Callable[[Row], str | None]
    """What a call of a full pull read: `products`, `availability`, `locations`, or None."""
    roles: tuple[str, ...] | None = None


async def created(control: httpx.AsyncClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """What the emulator's control surface made, as its answer to `POST path` says."""
    answer = await control.post(path, json=body)
    answer.raise_for_status()
    made: dict[str, Any] = answer.json()
    return made


def zoho_connection(made: Row) -> tuple[dict[str, str], dict[str, Any]]:
    """The credentials and settings a tenant connects with to a new Zoho organization."""
    organization = made["organization_id"]
    credentials = {"access_token": made["access_token"], "expires_at": "never"}
    return credentials, {"organization_id": organization, "daily_quota": DAILY_QUOTA}


async def _cin7_account(control: httpx.AsyncClient) -> Account:
    made = (await control.post("/_emulator/accounts", json={})).json()
    keys = {"account_id": made["account_id"], "application_key": made["application_key"]}
    headers = {
        "api-auth-accountid": made["account_id"],
        "api-auth-applicationkey": made["application_key"],
    }
    return Account(made["account_id"], keys, headers)


async def _cin7_generate(
    control: httpx.AsyncClient, account: Account, count: int
) -> dict[str, str]:
    body = {"account_id": account.id, "count": count}
    (await control.post("/_emulator/products/generate", json=body)).raise_for_status()
    return {}  # CIN7's generator answers a count


CIN7_API = "/ExternalApi/v2"
_CIN7_LISTINGS = {
    f"{CIN7_API}/product": "products",
    f"{CIN7_API}/ref/productavailability": "availability",
}

CIN7 = Warehouse(
    name="cin7",
    title="CIN7",
    api=CIN7_API,
    calls_per_minute=60,  # per API application
    page_size=1000,
    open_account=_cin7_account,
    generate=_cin7_generate,
    limits=lambda window: {
        "rate_limit": 60,
        "rate_window_seconds": window,
        "throttle_style": "429",
    },
    listing=lambda call: _CIN7_LISTINGS.get(call["path"]),
)


ZOHO_API = "/inventory/v1"


async def _zoho_account(control: httpx.AsyncClient) -> Account:
    body = {"name": "Bench Barbershop", "demo_items": False}
    made = await created(control, "/_emulator/organizations", body)
    organization = made["organization_id"]
    credentials, settings = zoho_connection(made)
    return Account(
        organization,
        credentials,
        {"Authorization": f"Zoho-oauthtoken {made['access_token']}"},
        settings=settings,
        params={"organization_id": organization},
        location_id=made["location_id"],
    )


async def _zoho_generate(
    control: httpx.AsyncClient, account: Account, count: int
) -> dict[str, str]:
    """`count` items with stock at the primary location, seeded in chunks."""
    ids: dict[str, str] = {}
    for first in range(0, count, SEED_CHUNK):
        items = [
            {
                "name": f"Bench item {n:07d}",
                "sku": f"GEN-{n:07d}",
                "rate": str(Decimal(n % 5000) / 100 + 1),
                "stock": {"": str(n % 97)},
            }
            for n in range(first + 1, min(count, first + SEED_CHUNK) + 1)
        ]
        body = {"organization_id": account.id, "items": items}
        made = await created(control, "/_emulator/items", body)
        ids |= {item["sku"]: item["item_id"] for item in made["items"]}
    return ids


def _zoho_listing(call: Row) -> str | None:
    path = call["path"].removeprefix(ZOHO_API)
    if path == "/locations":
        return "locations"
    if path != "/items":
        return None
    query = parse_qs(call.get("query") or "")
    if "sku" in query:
        return None  # one SKU's look-up, not a listing
    return "availability" if "location_id" in query else "products"


ZOHO = Warehouse(
    name="zoho",
    title="Zoho Inventory",
    api=ZOHO_API,
    calls_per_minute=100,  # per organization
    page_size=200,
    open_account=_zoho_account,
    generate=_zoho_generate,
    limits=lambda window: {
        "rate_limit": 100,
        "rate_window_seconds": window,
        "daily_quota": DAILY_QUOTA,
    },
    listing=_zoho_listing,
    roles=("warehouse",),  # a stock source chosen at connect
)

WAREHOUSES = {world.name: world for world in (CIN7, ZOHO)}
