"""Square's world for the warehouse scenario table: a Square connection made with the roles
`pos` and `warehouse` (its stock source), seen through `WarehouseWorld`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal

from pydantic import SecretStr

from tests.support.secrets import remember
from tests.support.square import square_emulator
from tests.support.square_world import SquareWorld, square_world
from tests.support.warehouse.world import Fault, WarehouseWorld
from tillsync.config import Settings
from tillsync.emulators.square import FaultRule

SOLD = "/v2/inventory/changes/batch-create"
LOOKED_UP = "/v2/inventory/changes/batch-retrieve"
SEEDED = {"PBM-REG": 40, "CHAI-S": 100, "CHAI-L": 80}
"""The emulated seller's counts at its location, "Main Street"."""


@dataclass
class SquareWarehouseWorld(WarehouseWorld):
    square: SquareWorld | None = None

    @property
    def _square(self) -> SquareWorld:
        assert self.square is not None
        return self.square

    async def connect(self) -> None:
        answer = await self._square.connect_stock_source(push_mode="per_sale")
        assert answer.status_code == 200, answer.text
        await self.work()  # the first pull, queued by connecting

    def available(self, sku: str) -> Decimal:
        emulated = self._square.square
        merchant = emulated.state.merchant(emulated.seller.merchant_id)
        return merchant.counts[
            (self._variation(sku), emulated.seller.location_id, "IN_STOCK")
        ].quantity

    async def change_stock(self, sku: str, available: int) -> None:
        seller = self._square.square.seller
        self._square.square.state.set_count(
            seller.merchant_id, self._variation(sku), seller.location_id, Decimal(available)
        )

    def fail_next_sale(self, fault: Fault) -> None:
        lost = fault == "lost"
        rule = FaultRule("POST", SOLD, "reset_after" if lost else "fail_before", status=500)
        self._square.square.state.faults.configure(rules=[rule])

    def sales(self, reference: str) -> int:
        emulated = self._square.square
        changes = emulated.state.merchant(emulated.seller.merchant_id).changes
        return sum(1 for c in changes if c["adjustment"].get("reference_id") == reference)

    def creates(self) -> list[int]:
        return self._statuses(SOLD)

    def lookups(self) -> list[int]:
        return self._statuses(LOOKED_UP)

    def _statuses(self, path: str) -> list[int]:
        calls = self._square.square.state.calls_since()
        return [c.status for c in calls if (c.method, c.path) == ("POST", path)]

    def _variation(self, sku: str) -> str:
        emulated = self._square.square
        catalog = emulated.state.merchant(emulated.seller.merchant_id).catalog
        (found,) = [
            key
            for key, obj in catalog.items()
            if obj["type"] == "ITEM_VARIATION" and obj["item_variation_data"].get("sku") == sku
        ]
        return found


@asynccontextmanager
async def square_warehouse_world(settings: Settings) -> AsyncIterator[WarehouseWorld]:
    async with square_emulator() as emulated, square_world(settings, emulated) as opened:
        hook = emulated.state.subscribe(
            opened.url + "/api/webhooks/square", ["inventory.count.updated"]
        )
        remember(hook.signature_key)
        opened.hub.services.settings.webhook_signature_keys = {
            "square": SecretStr(hook.signature_key)
        }
        yield SquareWarehouseWorld(
            opened.hub,
            opened.api,
            opened.tenant_id,
            provider="square",
            location="Main Street",
            stock={sku: Decimal(n) for sku, n in SEEDED.items()},
            square=opened,
        )
