"""A hub driven by hand in a test (its worker run until something holds), and what an
ordering app does against it, whatever POS it is connected to: place orders, read them back."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from tillsync.bootstrap import Hub


@dataclass
class HubAtHand:
    hub: Hub
    api: httpx.AsyncClient
    """The tenant's client of the hub's API (its key in `Authorization`)."""

    async def work(self) -> None:
        """Run every job that is due now."""
        await self.hub.create_worker().run_until_idle()

    async def work_until(self, probe: Callable[[], Awaitable[Any]], *, within: float = 10.0) -> Any:
        """Run due jobs until `probe` answers something truthy (retries come due meanwhile)."""
        async with asyncio.timeout(within):
            while True:
                await self.work()
                if result := await probe():
                    return result
                await asyncio.sleep(0.02)


def order_body(tenant_id: str, order_id: str, **changes: Any) -> dict[str, Any]:
    """A valid order body of the business `tenant_id`, in dollars, with `changes` applied."""
    body: dict[str, Any] = {
        "business_id": tenant_id,
        "order_id": order_id,
        "currency": "USD",
        "items": [
            {
                "dish_id": "dish-1",
                "name": "Paneer Butter Masala",
                "quantity": 2,
                "unit_price": 12.5,
                "note": "Extra spicy",
            }
        ],
        "special_instructions": "Ring twice",
        "customer": {"name": "Asha", "phone": "+1 555 0100"},
    }
    return body | changes


@dataclass
class OrderingApp(HubAtHand):
    async def place(self, body: dict[str, Any]) -> httpx.Response:
        return await self.api.post("/api/v1/orders", json=body)

    async def shown(self, order_id: str) -> dict[str, Any]:
        answer = await self.api.get(f"/api/v1/orders/{order_id}")
        assert answer.status_code == 200, answer.text
        order: dict[str, Any] = answer.json()["data"]["order"]
        return order

    async def synced(self, order_id: str) -> dict[str, Any]:
        """The order once its pushes settled (success or failed), running the worker."""

        async def done() -> dict[str, Any] | None:
            shown = await self.shown(order_id)
            return shown if shown["sync_state"] in ("success", "failed") else None

        result: dict[str, Any] = await self.work_until(done)
        return result
