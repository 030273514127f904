"""The connection job kinds: a webhook watchdog for every provider that takes webhooks, and
a token refresh for every provider with OAuth."""

from __future__ import annotations

from functools import partial

from tillsync.jobs.worker import Handler
from tillsync.services.connections import tokens
from tillsync.services.connections.watchdog import watch_webhooks, watchdog_kind
from tillsync.services.context import Services


def handlers(services: Services) -> dict[str, Handler]:
    return {
        **{
            watchdog_kind(provider.name): partial(watch_webhooks, services)
            for provider in services.providers
            if provider.webhook_types
        },
        **tokens.handlers(services),
    }
