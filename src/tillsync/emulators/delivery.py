"""Webhook delivery every emulator shares: background tasks per event, and one POST.

The retry schedule, the headers and what a failure means stay with each provider.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import httpx

E = TypeVar("E")
Deliveries = Callable[[E], Iterable[Coroutine[Any, Any, None]]]
Subscribe = Callable[[Callable[[E], None]], Callable[[], None]]


class DeliveryTasks(Generic[E]):
    """Runs each event's deliveries as tasks on the loop that called `start()`.

    `subscribe` adds a listener to the state's events and returns its removal;
    `deliveries(event)` gives one coroutine per target. Owned by the app's lifespan:
    `start()` after startup, `await stop()` (cancels what still runs) at shutdown. The
    state may emit events from another thread than the loop's.
    """

    def __init__(self, *, subscribe: Subscribe[E], deliveries: Deliveries[E]) -> None:
        self._subscribe = subscribe
        self._deliveries = deliveries
        self._tasks: set[asyncio.Task[None]] = set()
        self._unsubscribe: Callable[[], None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._unsubscribe = self._subscribe(self._on_event)

    async def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def wait_idle(self) -> None:
        """Wait until every delivery started so far has succeeded or given up."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def _on_event(self, event: E) -> None:
        assert self._loop is not None
        try:
            same_loop = asyncio.get_running_loop() is self._loop
        except RuntimeError:
            same_loop = False
        if same_loop:
            self._spawn(event)
        else:
            self._loop.call_soon_threadsafe(self._spawn, event)

    def _spawn(self, event: E) -> None:
        assert self._loop is not None
        for delivery in self._deliveries(event):
            task = self._loop.create_task(delivery)
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)


@dataclass(frozen=True, slots=True)
class Outcome:
    """One POST: the status answered, or why there was none (`timeout` or the error)."""

    status: int | None = None
    error: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


async def post(
    client: httpx.AsyncClient,
    url: str,
    *,
    body: bytes,
    headers: dict[str, str],
    timeout_seconds: float,
) -> Outcome:
    """POST the body once, never following a redirect; transport errors become an outcome."""
    try:
        response = await client.post(
            url, content=body, headers=headers, timeout=timeout_seconds, follow_redirects=False
        )
    except httpx.TimeoutException:
        return Outcome(error="timeout")
    except httpx.HTTPError as exc:
        return Outcome(error=f"{type(exc).__name__}: {exc}")
    return Outcome(status=response.status_code)
