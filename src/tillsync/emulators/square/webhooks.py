"""Webhook delivery: signed JSON POSTs in the background, on Square's retry schedule.

A delivery succeeds on a 2xx within the timeout (10 s); anything else fails. Square then
retries after 1, 2, 4, 8, 16 and 32 minutes, then hourly, until 72 hours after the event,
and drops it. The schedule is multiplied by the `time_scale` setting.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
from collections.abc import Callable

import httpx

from tillsync.emulators.square.events import Event
from tillsync.emulators.square.logs import DeliveryRecord
from tillsync.emulators.square.state import SquareState
from tillsync.emulators.square.subscriptions import Subscription
from tillsync.emulators.square.wire import dump_json, format_time

FIRST_RETRIES_MINUTES = (1, 2, 4, 8, 16, 32)
HOURLY_MINUTES = 60
GIVE_UP_MINUTES = 72 * 60


def retry_delays_minutes() -> list[int]:
    """The waits between tries, in minutes: 1, 2, 4, 8, 16, 32, then 60 while within 72 h."""
    delays = list(FIRST_RETRIES_MINUTES)
    while sum(delays) + HOURLY_MINUTES <= GIVE_UP_MINUTES:
        delays.append(HOURLY_MINUTES)
    return delays


def signature(key: str, notification_url: str, body: bytes) -> str:
    """Square's `x-square-hmacsha256-signature`: HMAC-SHA256 over the URL then the raw body."""
    digest = hmac.new(key.encode(), notification_url.encode() + body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class WebhookDispatcher:
    """Owned by the app's lifespan: `start()` after startup, `await stop()` at shutdown."""

    def __init__(self, state: SquareState, client: httpx.AsyncClient) -> None:
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
        for subscription in self._state.subscriptions.wanting(event.type):
            task = self._loop.create_task(self._deliver(event, subscription))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _deliver(self, event: Event, subscription: Subscription) -> None:
        body = dump_json(event.payload)
        first = format_time(self._state.clock.now())
        delays = retry_delays_minutes()
        reason: str | None = None
        for attempt in range(len(delays) + 1):
            if subscription.id not in self._state.subscriptions.by_id:
                return
            reason = await self._attempt(
                event, subscription, body, first=first, retry=attempt, reason=reason
            )
            if reason is None or attempt == len(delays):
                return
            await asyncio.sleep(delays[attempt] * 60 * self._state.settings.time_scale)

    async def _attempt(
        self,
        event: Event,
        subscription: Subscription,
        body: bytes,
        *,
        first: str,
        retry: int,
        reason: str | None,
    ) -> str | None:
        """One try; None when it succeeded, else why it failed (for the next try's header)."""
        url = subscription.notification_url
        headers = {
            "content-type": "application/json",
            "user-agent": "Square Connect v2",
            "square-environment": self._state.settings.environment,
            "square-initial-delivery-timestamp": first,
            "x-square-hmacsha256-signature": signature(subscription.signature_key, url, body),
        }
        if retry:
            headers["square-retry-number"] = str(retry)
            headers["square-retry-reason"] = reason or "unknown"
        status: int | None = None
        error: str | None = None
        try:
            response = await self._client.post(
                url,
                content=body,
                headers=headers,
                timeout=self._state.settings.webhook_timeout_seconds,
                follow_redirects=False,
            )
            status = response.status_code
        except httpx.TimeoutException:
            error = "timeout"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        self._state.record_delivery(
            DeliveryRecord(
                time=self._state.clock.now(),
                subscription_id=subscription.id,
                event_id=event.event_id,
                type=event.type,
                url=url,
                attempt=retry + 1,
                status=status,
                error=error,
            )
        )
        if status is not None and 200 <= status < 300:
            return None
        if status is not None:
            return f"http_status_{status}"
        return "timeout" if error == "timeout" else "connection_error"
