"""Webhook delivery: JSON POSTs in the background, CIN7's retry schedule, then deactivation.

A delivery fails on a non-2xx answer, a timeout or a connection error. After the first
try CIN7 tries 6 more times, +1, +5, +10, +15, +20 and +25 minutes later (scaled by the
`time_scale` setting), then silently sets the webhook's `IsActive` to false.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Coroutine
from typing import Any

import httpx

from tillsync.emulators.cin7.events import Event
from tillsync.emulators.cin7.logs import DeliveryRecord
from tillsync.emulators.cin7.records import Webhook
from tillsync.emulators.cin7.state import Cin7State
from tillsync.emulators.cin7.wire import dump_json
from tillsync.emulators.delivery import DeliveryTasks, post

RETRY_MINUTES = (1, 5, 10, 15, 20, 25)


def webhook_dispatcher(state: Cin7State, client: httpx.AsyncClient) -> DeliveryTasks[Event]:
    """Delivers the state's events for as long as it runs (see `DeliveryTasks`)."""
    webhooks = Webhooks(state, client)
    return DeliveryTasks(subscribe=state.events.subscribe, deliveries=webhooks.deliveries)


class Webhooks:
    """One event's deliveries to each webhook that wants it, on CIN7's schedule."""

    def __init__(self, state: Cin7State, client: httpx.AsyncClient) -> None:
        self._state = state
        self._client = client

    def deliveries(self, event: Event) -> list[Coroutine[Any, Any, None]]:
        webhooks = self._state.active_webhooks(event.account_id, event.type)
        return [self._deliver(event, webhook.id) for webhook in webhooks]

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
        outcome = await post(
            self._client,
            webhook.url,
            body=body,
            headers=headers,
            timeout_seconds=self._state.settings.webhook_timeout_seconds,
        )
        self._state.record_delivery(
            DeliveryRecord(
                time=self._state.clock.now(),
                account_id=event.account_id,
                webhook_id=webhook.id,
                type=event.type,
                url=webhook.url,
                attempt=attempt,
                status=outcome.status,
                error=outcome.error,
            )
        )
        return outcome.succeeded
