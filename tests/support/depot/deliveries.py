"""Depot's webhook deliveries: one JSON POST per active hook, tracked so tests can wait."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from typing import Any

import httpx

from tests.support.depot.records import STOCK_CHANGED, Delivery, StockEvent, Webhook, stamp
from tests.support.depot.state import DepotState

TIMEOUT_SECONDS = 5.0


class Deliveries:
    """Owned by the emulator app's lifespan: `start()`, then `await stop()`.

    Each event is tried once; the answer's status is recorded in `state.delivered` (0: not
    sent). `state.settle()` returns when every delivery begun so far has ended.
    """

    def __init__(self, state: DepotState) -> None:
        self._state = state
        self._client: httpx.AsyncClient | None = None
        self._unsubscribe: Callable[[], None] | None = None

    def start(self, client: httpx.AsyncClient) -> None:
        self._client = client
        self._unsubscribe = self._state.subscribe(self._on_event)

    async def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        tasks = set(self._state.in_flight)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _on_event(self, event: StockEvent) -> None:
        # Events are raised from the emulator's handlers or a test in the same loop.
        loop = asyncio.get_running_loop()
        for hook in self._state.active_webhooks(event.account_id, STOCK_CHANGED):
            task = loop.create_task(self._deliver(hook, _body(self._state, event)))
            self._state.in_flight.add(task)
            task.add_done_callback(self._state.in_flight.discard)

    async def _deliver(self, hook: Webhook, body: dict[str, Any]) -> None:
        assert self._client is not None
        headers = {
            "Authorization": f"Bearer {hook.token}",
            "X-Depot-Delivery": str(body["id"]),
            "X-Depot-Event": STOCK_CHANGED,
        }
        try:
            answer = await self._client.post(
                hook.url, json=body, headers=headers, timeout=TIMEOUT_SECONDS
            )
        except httpx.HTTPError:
            status = 0
        else:
            status = answer.status_code
        self._state.delivered.append(Delivery(hook.id, hook.url, body, status))


def _body(state: DepotState, event: StockEvent) -> dict[str, Any]:
    return {
        "id": f"evt_{secrets.token_hex(8)}",
        "event": STOCK_CHANGED,
        "account_id": event.account_id,
        "sku": event.sku,
        "location": event.location,
        "occurred_at": stamp(state.clock.now()),
    }
