"""The inbound job kinds of every provider that sends deliveries: `<provider>.<verb>`."""

from __future__ import annotations

from functools import partial

from tillsync.jobs.worker import Handler
from tillsync.services.context import Services
from tillsync.services.inbound.apply import apply_webhook
from tillsync.services.inbound.stock import refresh_stock


def handlers(services: Services) -> dict[str, Handler]:
    kinds: dict[str, Handler] = {}
    for provider in services.providers:
        if provider.deliveries is not None:
            kinds[f"{provider.name}.apply_webhook"] = partial(apply_webhook, services)
        if "warehouse" in provider.roles:
            kinds[f"{provider.name}.refresh_stock"] = partial(refresh_stock, services)
    return kinds
