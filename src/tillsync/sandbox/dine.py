"""The sandbox's Dine: the demo cafe's restaurant, its menu and API key, and its POS.

The cafe's online orders go to Dine, its one POS connection (the barbershop's go to
Square: a business with two POS connections would have every order pushed to both).
Another business connects with the key from `sandbox.json` (`POST /api/v1/pos/connect`
with `"provider": "dine"` and `"api_key"`); the sandbox's hub has the emulator's address
as Dine's provider URL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tillsync.emulators.dine import DineState, Restaurant
from tillsync.emulators.dine.menu import ItemSeed
from tillsync.services.connections.lifecycle import connect
from tillsync.services.context import Services

API = "/v1"
NAME = "dine"
MENU = (
    ItemSeed("Latte", Decimal("4.20"), "Coffee"),
    ItemSeed("Flat White", Decimal("3.90"), "Coffee"),
    ItemSeed("Cappuccino", Decimal("3.80"), "Coffee"),
    ItemSeed("Butter Croissant", Decimal("3.20"), "Pastries", "BAKE-CROISSANT"),
    ItemSeed("Blueberry Muffin", Decimal("3.40"), "Pastries", "BAKE-MUFFIN"),
)
"""The cafe's menu at Dine: drinks made to order, and bakes from the shelf."""


@dataclass(frozen=True)
class DineDemo:
    state: DineState
    restaurant: Restaurant
    url: str = ""
    """The API base a Dine client would use (the emulator's address and `/v1`)."""

    def manifest(self) -> dict[str, Any]:
        return {"url": self.url, "api_key": self.restaurant.api_key}


def dine_demo(*, name: str) -> DineDemo:
    state = DineState()
    return DineDemo(state, state.create_restaurant(name=name, menu=MENU))


async def connect_dine(
    services: Services, demo: DineDemo, *, tenant_id: str, settings: Mapping[str, object]
) -> None:
    """Connect the restaurant as the tenant's POS: its online orders go there."""
    await connect(
        services,
        provider=NAME,
        tenant_id=tenant_id,
        credentials={"api_key": demo.restaurant.api_key},
        base_url=demo.url,
        settings=settings,
    )
