"""Workflow webhook delivery: the changed record as JSON, with the user's secret header.

Zoho documents no signature and no retries for workflow webhooks. The emulator's stated
choice: a delivery succeeds on a 2xx within the timeout (10 s); otherwise it is tried
again after 1, 5 and 30 minutes (times `time_scale`), then dropped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any
from urllib.parse import urlencode

import httpx

from tillsync.emulators.delivery import DeliveryTasks, post
from tillsync.emulators.zoho.events import Event
from tillsync.emulators.zoho.logs import DeliveryRecord
from tillsync.emulators.zoho.state import ZohoState
from tillsync.emulators.zoho.wire import dump_json
from tillsync.emulators.zoho.workflows import Workflow

RETRY_MINUTES = (1, 5, 30)


def webhook_dispatcher(state: ZohoState, client: httpx.AsyncClient) -> DeliveryTasks[Event]:
    """Delivers the state's events for as long as it runs (see `DeliveryTasks`)."""
    webhooks = Webhooks(state, client)
    return DeliveryTasks(subscribe=state.events.subscribe, deliveries=webhooks.deliveries)


def payload(event: Event, *, shape: str) -> dict[str, Any]:
    """`keyed`: `{"item": {...}}` as Zoho's default record JSON; `flat`: the record alone."""
    return {event.entity: event.document} if shape == "keyed" else dict(event.document)


class Webhooks:
    """One change's deliveries to each workflow of its organization and module."""

    def __init__(self, state: ZohoState, client: httpx.AsyncClient) -> None:
        self._state = state
        self._client = client

    def deliveries(self, event: Event) -> list[Coroutine[Any, Any, None]]:
        wanting = [
            w
            for w in self._state.workflows.values()
            if w.organization_id == event.organization_id and w.entity == event.entity
        ]
        shape = self._state.settings.webhook_payload
        body = dump_json(payload(event, shape=shape))
        return [self._deliver(event, workflow, body) for workflow in wanting]

    async def _deliver(self, event: Event, workflow: Workflow, body: bytes) -> None:
        for attempt in range(len(RETRY_MINUTES) + 1):
            if workflow.id not in self._state.workflows:
                return
            if await self._attempt(event, workflow, body, attempt=attempt + 1):
                return
            if attempt < len(RETRY_MINUTES):
                await asyncio.sleep(RETRY_MINUTES[attempt] * 60 * self._state.settings.time_scale)

    async def _attempt(
        self, event: Event, workflow: Workflow, body: bytes, *, attempt: int
    ) -> bool:
        url = workflow.url
        if workflow.params:
            url += ("&" if "?" in url else "?") + urlencode(workflow.params)
        headers = {"content-type": "application/json;charset=UTF-8", "user-agent": "ZohoInventory"}
        if workflow.header_name is not None and workflow.secret is not None:
            headers[workflow.header_name] = workflow.secret
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
                webhook_id=workflow.id,
                entity=event.entity,
                entity_id=event.entity_id,
                url=workflow.url,
                attempt=attempt,
                status=outcome.status,
                error=outcome.error,
            )
        )
        return outcome.succeeded
