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
from collections.abc import Coroutine
from typing import Any

import httpx

from tillsync.emulators.delivery import DeliveryTasks, post
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


def webhook_dispatcher(state: SquareState, client: httpx.AsyncClient) -> DeliveryTasks[Event]:
    """Delivers the state's events for as long as it runs (see `DeliveryTasks`)."""
    webhooks = Webhooks(state, client)
    return DeliveryTasks(subscribe=state.events.subscribe, deliveries=webhooks.deliveries)


class Webhooks:
    """One event's signed deliveries to each subscription that wants it, on Square's schedule."""

    def __init__(self, state: SquareState, client: httpx.AsyncClient) -> None:
        self._state = state
        self._client = client

    def deliveries(self, event: Event) -> list[Coroutine[Any, Any, None]]:
        wanting = self._state.subscriptions.wanting(event.type)
        return [self._deliver(event, subscription) for subscription in wanting]

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
        outcome = await post(
            self._client,
            url,
            body=body,
            headers=headers,
            timeout_seconds=self._state.settings.webhook_timeout_seconds,
        )
        self._state.record_delivery(
            DeliveryRecord(
                time=self._state.clock.now(),
                subscription_id=subscription.id,
                event_id=event.event_id,
                type=event.type,
                url=url,
                attempt=retry + 1,
                status=outcome.status,
                error=outcome.error,
            )
        )
        if outcome.succeeded:
            return None
        if outcome.status is not None:
            return f"http_status_{outcome.status}"
        return "timeout" if outcome.error == "timeout" else "connection_error"
