"""Webhook delivery: JSON POSTs in the background, CIN7's retry schedule, then deactivation.

A delivery fails on a non-2xx answer, a timeout or a connection error. After the first
try CIN7 tries 6 more times, +1, +5, +10, +15, +20 and +25 minutes later (scaled by the
`time_scale` setting), then silently sets the webhook's `IsActive` to false.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable

import httpx

from tillsync.emulators.cin7.events import Event
from tillsync.emulators.cin7.logs import DeliveryRecord
from tillsync.emulators.cin7.records import Webhook
from tillsync.emulators.cin7.state import Cin7State
from tillsync.emulators.cin7.wire import dump_json

RETRY_MINUTES = (1, 5, 10, 15, 20, 25)


class WebhookDispatcher:
    """Owned by the app's lifespan: `start()` after startup, `await stop()` at shutdown."""

    def __init__(self, state: Cin7State, client: httpx.AsyncClient) -> None:
        self._state = state
        self._client = client
        self._tasks: set[asyncio.Task[None]] = set()
        self._unsubscribe: Callable[[], None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._unsubscribe = self._state.events.subscribe(self._on_event)

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

    def _on_event(self, event: Event) -> None:
        """Called by the state; the state may be driven from another thread than ours."""
        assert self._loop is not None
        try:
            same_loop = asyncio.get_running_loop() is self._loop
        except RuntimeError:
            same_loop = False
        if same_loop:
            self._spawn(event)
        else:
            self._loop.call_soon_threadsafe(self._spawn, event)

    def _spawn(self, event: Event) -> None:
        assert self._loop is not None
        for webhook in self._state.active_webhooks(event.account_id, event.type):
            task = self._loop.create_task(self._deliver(event, webhook.id))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _deliver(self, event: Event, webhook_id: str) -> None:
        body = dump_json(event.payload)
        await asyncio.sleep(self._state.settings.webhook_delay_seconds)
        for attempt in range(1, len(RETRY_MINUTES) + 2):
            webhook = self._state.webhook(event.account_id, webhook_id)
            if webhook is None or not webhook.is_active:
                return
            if await self._attempt(event, webhook, body, attempt):
                return
            if attempt > len(RETRY_MINUTES):
                self._state.deactivate_webhook(event.account_id, webhook_id)
                return
            await asyncio.sleep(RETRY_MINUTES[attempt - 1] * 60 * self._state.settings.time_scale)

    async def _attempt(self, event: Event, webhook: Webhook, body: bytes, attempt: int) -> bool:
        headers = {"Content-Type": "application/json"}
        headers.update(webhook.headers)
        if webhook.auth_type == "basicauth":
            secret = f"{webhook.user_name}:{webhook.password}".encode()
            headers["Authorization"] = f"Basic {base64.b64encode(secret).decode()}"
        elif webhook.auth_type == "bearerauth":
            headers["Authorization"] = f"Bearer {webhook.bearer_token}"
        status: int | None = None
        error: str | None = None
        try:
            response = await self._client.post(
                webhook.url,
                content=body,
                headers=headers,
                timeout=self._state.settings.webhook_timeout_seconds,
            )
            status = response.status_code
        except httpx.TimeoutException:
            error = "timeout"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        self._state.record_delivery(
            DeliveryRecord(
                time=self._state.clock.now(),
                account_id=event.account_id,
                webhook_id=webhook.id,
                type=event.type,
                url=webhook.url,
                attempt=attempt,
                status=status,
                error=error,
            )
        )
        return status is not None and 200 <= status < 300
