"""Webhook delivery: one account's hooks in order, each retried until the application
takes it, and none newer sent before.

A try succeeds on HTTP 200 within the timeout (5 s, a GUESS: Poster documents none);
Poster asks for exactly 200, so any other status fails. A failed hook is tried 15 more
times over two days (`hooks.retry_delays_minutes`, times `time_scale`), then given up;
until then the account's newer hooks wait behind it, as they stall on Poster until the old
ones are accepted. Only accounts with our application installed get hooks, only for the
objects the application subscribes to, and only when it has a webhook URL.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from typing import Any

import httpx

from tillsync.emulators.delivery import DeliveryTasks, post
from tillsync.emulators.poster.events import Event
from tillsync.emulators.poster.hooks import Hook, body, data_text, retry_delays_minutes
from tillsync.emulators.poster.logs import DeliveryRecord
from tillsync.emulators.poster.state import PosterState
from tillsync.emulators.poster.wire import unix_seconds

ACCEPTED = 200


def webhook_dispatcher(state: PosterState, client: httpx.AsyncClient) -> DeliveryTasks[Event]:
    """Delivers the state's changes for as long as it runs (see `DeliveryTasks`)."""
    webhooks = Webhooks(state, client)
    return DeliveryTasks(subscribe=state.events.subscribe, deliveries=webhooks.deliveries)


class Webhooks:
    """Queues each wanted change as a hook; one drain per account sends them in order."""

    def __init__(self, state: PosterState, client: httpx.AsyncClient) -> None:
        self._state = state
        self._client = client
        self._draining: set[str] = set()

    def deliveries(self, event: Event) -> list[Coroutine[Any, Any, None]]:
        state = self._state
        app = state.application
        account = state.accounts.get(event.account)
        if account is None or not account.installed or app.webhook_url is None:
            return []
        if event.object not in app.webhook_objects:
            return []
        hook = Hook(
            id=state.hooks.new_id(),
            account=account.login,
            account_number=account.number,
            object=event.object,
            object_id=event.object_id,
            action=event.action,
            data=data_text(event.data),
        )
        state.hooks.enqueue(hook)
        if account.login in self._draining:
            return []
        self._draining.add(account.login)
        return [self._drain(account.login)]

    async def _drain(self, login: str) -> None:
        try:
            while (hook := self._state.hooks.head(login)) is not None:
                await self._deliver(hook)
                self._state.hooks.done(hook)
        finally:
            self._draining.discard(login)

    async def _deliver(self, hook: Hook) -> None:
        delays = retry_delays_minutes()
        hook.woken = asyncio.Event()
        first: str | None = None
        for attempt in range(len(delays) + 1):
            url = self._state.application.webhook_url
            if hook.dropped or url is None:
                return
            now = unix_seconds(self._state.clock.now())
            first = now if first is None or self._state.settings.resign_retries else first
            if await self._attempt(hook, url, time=first, attempt=attempt + 1):
                return
            if attempt < len(delays):
                wait = delays[attempt] * 60 * self._state.settings.time_scale
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(hook.woken.wait(), wait)

    async def _attempt(self, hook: Hook, url: str, *, time: str, attempt: int) -> bool:
        state = self._state
        outcome = await post(
            self._client,
            url,
            body=body(hook, time=time, secret=state.application.application_secret),
            headers={"content-type": "application/json"},
            timeout_seconds=state.settings.webhook_timeout_seconds,
        )
        state.record_delivery(
            DeliveryRecord(
                time=state.clock.now(),
                hook_id=hook.id,
                account=hook.account,
                object=hook.object,
                object_id=hook.object_id,
                action=hook.action,
                url=url,
                attempt=attempt,
                status=outcome.status,
                error=outcome.error,
            )
        )
        return outcome.status == ACCEPTED
