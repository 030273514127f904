"""Poster's world for the warehouse scenario table: a Poster connection made with the roles
`records` and `warehouse` (its stock source: ingredient leftovers per storage), seen
through `WarehouseWorld`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal

from tests.support.depot_world import FAST
from tests.support.poster_world import LOGIN, PosterWorld, poster_world
from tests.support.warehouse.world import Fault, WarehouseWorld
from tillsync.config import Settings
from tillsync.emulators.poster import FaultRule, catalog
from tillsync.emulators.poster.records import INGREDIENTS, Record

WRITE_OFF = "/api/storage.createWriteOff"
LOOKED_UP = "/api/storage.getWastes"
KITCHEN = 1
"""The demo restaurant's first storage, "Kitchen"."""
EGGS, MILK = 3, 1
"""Eggs are sold by the piece and have no barcode; milk is in litres, with a barcode."""
MILK_BARCODE = "4820000000011"
SEEDED = {f"ingredient-{EGGS}": Decimal(120), MILK_BARCODE: Decimal("24.5")}
"""The SKUs at the kitchen with their leftovers: an id-based SKU and a barcode."""


@dataclass
class PosterWarehouseWorld(WarehouseWorld):
    poster: PosterWorld | None = None

    @property
    def _poster(self) -> PosterWorld:
        assert self.poster is not None
        return self.poster

    async def connect(self) -> None:
        body = {
            "credentials": {"access_token": self._poster.account.access_token, "account": LOGIN},
            "roles": ["records", "warehouse"],
            "settings": {**FAST, "push_mode": "per_sale"},
        }
        answer = await self.api.put("/api/connections/poster", json=body)
        assert answer.status_code == 200, answer.text
        await self.work()  # the first pull, queued by connecting

    def available(self, sku: str) -> Decimal:
        return self._ingredient(sku).left.get(KITCHEN, Decimal(0))

    async def change_stock(self, sku: str, available: int) -> None:
        """A stocktake in Poster's back office: its signed `stock` hook goes to the hub."""
        body = {"ingredient_id": self._ingredient(sku).id, "storage_id": KITCHEN}
        await self._poster.change("PUT", "leftovers", {**body, "quantity": available})

    def fail_next_sale(self, fault: Fault) -> None:
        lost = fault == "lost"
        rule = FaultRule("POST", WRITE_OFF, "reset_after" if lost else "fail_before", status=500)
        self._poster.poster.faults.add_rule(rule)

    def sales(self, reference: str) -> int:
        wastes = self._poster.poster.account(LOGIN).wastes.values()
        return sum(1 for waste in wastes if any(x["reason"] == reference for x in waste.lines))

    def creates(self) -> list[int]:
        return self._statuses("POST", WRITE_OFF)

    def lookups(self) -> list[int]:
        return self._statuses("GET", LOOKED_UP)

    def _statuses(self, method: str, path: str) -> list[int]:
        calls = self._poster.poster.calls_since()
        return [c.status for c in calls if (c.method, c.path) == (method, path)]

    def _ingredient(self, sku: str) -> Record:
        ingredient = MILK if sku == MILK_BARCODE else int(sku.removeprefix("ingredient-"))
        return self._poster.poster.account(LOGIN).of(INGREDIENTS)[ingredient]


@asynccontextmanager
async def poster_warehouse_world(settings: Settings) -> AsyncIterator[WarehouseWorld]:
    async with poster_world(settings) as opened:
        account = opened.poster.account(LOGIN)  # made quietly: before the hub was there
        catalog.change(account, INGREDIENTS, MILK, {"ingredient_barcode": MILK_BARCODE})
        catalog.set_left(account, EGGS, KITCHEN, SEEDED[f"ingredient-{EGGS}"])
        yield PosterWarehouseWorld(
            opened.hub,
            opened.api,
            opened.tenant_id,
            provider="poster",
            location="Kitchen",
            stock=dict(SEEDED),
            poster=opened,
        )
