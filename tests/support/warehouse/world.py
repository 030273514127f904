"""What every warehouse world offers the scenario table: connect as the tenant's stock source,
sell, fault the warehouse, change its stock behind the hub, and read both sides' figures."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import select, update

from tests.support.ordering import HubAtHand
from tillsync.config import Settings
from tillsync.store.tables import StockLevel

Fault = Literal["lost", "500"]
"""The answer to the next create of a sale is lost after it is made, or a 500 comes first."""


@dataclass
class WarehouseWorld(HubAtHand):
    tenant_id: str
    provider: str = ""
    location: str = ""
    """The warehouse's location, by the name the ledger gives it."""
    stock: dict[str, Decimal] | None = None
    """The SKUs seeded at `location` with their available figure; the first is sold."""
    created_status: int = 200
    """The status of a create of a sale the warehouse answers."""
    hints: bool = True
    """Whether a stock change at the warehouse tells the hub by itself (webhooks)."""

    @property
    def seeded(self) -> dict[str, Decimal]:
        assert self.stock
        return self.stock

    @property
    def sku(self) -> str:
        return next(iter(self.seeded))

    async def connect(self) -> None:
        """Connect as the tenant's stock source, per-sale pushes, retries due at once, the
        rate budget out of the way; return once its first pull has run."""
        raise NotImplementedError

    def available(self, sku: str) -> Decimal:
        """The warehouse's own available figure of `sku` at `location`."""
        raise NotImplementedError

    async def change_stock(self, sku: str, available: int) -> None:
        """Set the warehouse's figure as a stock take there would, with the notices the
        warehouse sends of it (none when `hints` is false)."""
        raise NotImplementedError

    def fail_next_sale(self, fault: Fault) -> None:
        raise NotImplementedError

    def hold_next_sale(self) -> None:
        """The next create of a sale is made, and its answer held back for a minute."""
        raise NotImplementedError

    def sales(self, reference: str) -> int:
        """How many sales (or adjustments) the warehouse holds with our `reference`."""
        raise NotImplementedError

    def creates(self) -> list[int]:
        """The statuses of the warehouse's creates of a sale, in order (0: answer lost)."""
        raise NotImplementedError

    def lookups(self) -> list[int]:
        """The statuses of the warehouse's look-ups of a sale by our reference."""
        raise NotImplementedError

    async def check(self, sku: str) -> dict[str, Any]:
        """The hub's figures of `sku` as a POS asks for them (seed 000's CHECK_INVENTORY)."""
        body = {"action": "CHECK_INVENTORY", "sku": sku, "quantity": 1, "location": self.location}
        answer = await self.api.post("/api/cin7/sale-sync", json=body)
        assert answer.status_code == 200, answer.text
        figures: dict[str, Any] = answer.json()
        return figures

    async def sell(self, sale_id: str, quantity: int) -> None:
        body = {
            "saleId": sale_id,
            "location": self.location,
            "items": [{"sku": self.sku, "quantity": quantity, "price": 9.5}],
        }
        answer = await self.api.post("/api/sales", json=body)
        assert answer.status_code == 200, answer.text

    async def pushed(self, sale_id: str) -> dict[str, Any]:
        """The sale's push to this warehouse once it has ended, running the worker."""

        async def ended() -> dict[str, Any] | None:
            answer = await self.api.get(f"/api/sales/{sale_id}/history")
            assert answer.status_code == 200, answer.text
            jobs = [j for j in answer.json()["jobs"] if j["provider"] == self.provider]
            done = [j for j in jobs if j["status"] in ("success", "failed")]
            return done[-1] if done and len(done) == len(jobs) else None

        result: dict[str, Any] = await self.work_until(ended)
        return result

    async def pull(self, mode: str) -> dict[str, Any]:
        """Ask for a pull through the API and work until its job has ended; its run."""
        asked = await self.api.post(f"/api/connections/{self.provider}/sync", json={"mode": mode})
        assert asked.status_code == 202, asked.text
        path = f"/api/connections/{self.provider}/runs/{asked.json()['runId']}"

        async def ended() -> dict[str, Any] | None:
            answer = await self.api.get(path)
            assert answer.status_code == 200, answer.text
            run: dict[str, Any] = answer.json()
            return run if run["status"] in ("success", "failed") else None

        result: dict[str, Any] = await self.work_until(ended)
        return result

    async def report(self, run_id: str) -> dict[str, Any]:
        answer = await self.api.get(f"/api/connections/{self.provider}/reports/{run_id}")
        assert answer.status_code == 200, answer.text
        report: dict[str, Any] = answer.json()
        return report

    async def plant(self, sku: str, figure: int) -> None:
        """Change the hub's figure behind its back, as a lost notice would leave it.

        Behind the ledger's back too: stock checks, answered from the read model that
        follows the ledger's events, go on showing the figure before (see `stored`).
        """
        async with self.hub.uows.begin() as uow:
            await uow.session.execute(
                update(StockLevel)
                .where(
                    StockLevel.tenant_id == self.tenant_id,
                    StockLevel.sku == sku,
                    StockLevel.location == self.location,
                )
                .values(warehouse_available=figure, warehouse_on_hand=figure)
            )
            await uow.commit()

    async def stored(self, sku: str) -> Decimal | None:
        """The hub's stored warehouse figure of `sku` at this world's location."""
        async with self.hub.uows.read() as session:
            return await session.scalar(
                select(StockLevel.warehouse_available).where(
                    StockLevel.tenant_id == self.tenant_id,
                    StockLevel.sku == sku,
                    StockLevel.location == self.location,
                )
            )


OpenWorld = Callable[[Settings], AbstractAsyncContextManager[WarehouseWorld]]
