"""The POSes a bench pushes orders to: Square, Zoho Inventory and Dine, each at its own limit.

Each entry says how to open a seller at its emulator and connect a tenant to it as seed
004's connect does, how to list the orders the seller holds by our reference, and what a
fair load is: the steady rate and burst its limit allows (Zoho: 100 calls a minute per
organization, two calls an order, a customer look-up and the sales order; Dine: 60 a
minute per key, one call an order).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from worlds.warehouses import ZOHO_API, created, zoho_connection


@dataclass(frozen=True)
class Seller:
    """A seller at the POS's emulator, and how the hub connects to it."""

    id: str
    credentials: dict[str, str]
    api: str = ""
    """The API's prefix under the emulator's URL."""
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PosWorld:
    name: str
    title: str
    limit: str
    """The POS's rate limit, as the bench's header says it."""
    rate: float
    """Orders a second of the steady phase by default: well within the limit."""
    burst: int
    rest_seconds: float
    """A pause before the burst, so it meets a budget the steady phase no longer holds."""
    open_seller: Callable[[httpx.AsyncClient], Awaitable[Seller]]
    references: Callable[[httpx.AsyncClient, Seller], Awaitable[Counter[str]]]
    """The seller's orders at the POS, counted by our reference (the control surface)."""


async def _square_seller(control: httpx.AsyncClient) -> Seller:
    """A new seller, and the tokens its OAuth grant to the application gives."""
    seller = await created(control, "/_emulator/merchants", {"business_name": "Bench Bistro"})
    application = (await control.get("/_emulator/application")).json()
    redirect = "http://127.0.0.1/callback"
    query = {
        "client_id": application["client_id"],
        "redirect_uri": redirect,
        "merchant_id": seller["merchant_id"],
    }
    authorized = await control.get("/oauth2/authorize", params=query)
    code = httpx.URL(authorized.headers["location"]).params["code"]
    body = {
        "client_id": application["client_id"],
        "client_secret": application["client_secret"],
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect,
    }
    token = await control.post("/oauth2/token", json=body)
    token.raise_for_status()
    issued = token.json()
    tokens = {
        "access_token": issued["access_token"],
        "refresh_token": issued["refresh_token"],
        "expires_at": issued["expires_at"],
        "merchant_id": issued["merchant_id"],
    }
    return Seller(seller["merchant_id"], tokens, settings={"location_id": seller["location_id"]})


async def _zoho_seller(control: httpx.AsyncClient) -> Seller:
    made = await created(control, "/_emulator/organizations", {"name": "Bench Bistro"})
    credentials, settings = zoho_connection(made)
    return Seller(made["organization_id"], credentials, api=ZOHO_API, settings=settings)


async def _dine_seller(control: httpx.AsyncClient) -> Seller:
    made = await created(control, "/_emulator/restaurants", {"name": "Bench Bistro"})
    return Seller(made["id"], {"api_key": made["api_key"]}, api="/v1")


def _references(
    path: str, *, seller: str, listed: str, reference: str
) -> Callable[[httpx.AsyncClient, Seller], Awaitable[Counter[str]]]:
    """Counts the orders `GET path?{seller}=` lists under `listed` by their `reference`."""

    async def counted(control: httpx.AsyncClient, of: Seller) -> Counter[str]:
        answer = await control.get(path, params={seller: of.id})
        answer.raise_for_status()
        return Counter(str(order.get(reference)) for order in answer.json()[listed])

    return counted


POS = {
    world.name: world
    for world in (
        PosWorld(
            name="square",
            title="Square",
            limit="no published per-seller limit (the emulator's default)",
            rate=2.0,
            burst=100,
            rest_seconds=0.0,
            open_seller=_square_seller,
            references=_references(
                "/_emulator/orders", seller="merchant", listed="orders", reference="reference_id"
            ),
        ),
        PosWorld(
            name="zoho",
            title="Zoho Inventory",
            limit="100 calls a minute per organization, two calls an order",
            rate=0.5,
            burst=40,
            rest_seconds=61.0,
            open_seller=_zoho_seller,
            references=_references(
                "/_emulator/salesorders",
                seller="organization",
                listed="salesorders",
                reference="reference_number",
            ),
        ),
        PosWorld(
            name="dine",
            title="Dine",
            limit="60 calls a minute per key, one call an order",
            rate=0.5,
            burst=50,
            rest_seconds=61.0,
            open_seller=_dine_seller,
            references=_references(
                "/_emulator/orders", seller="restaurant_id", listed="orders", reference="reference"
            ),
        ),
    )
}
