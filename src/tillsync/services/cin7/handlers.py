"""The CIN7 job kinds and the handlers that run them."""

from __future__ import annotations

from functools import partial

from tillsync.jobs.worker import Handler
from tillsync.services.cin7.inbound import apply_webhook, refresh_stock
from tillsync.services.cin7.watchdog import WATCHDOG_KIND, watch_webhooks
from tillsync.services.context import Services
from tillsync.services.sync.catalog import sync_catalog


def handlers(services: Services) -> dict[str, Handler]:
    return {
        "cin7.apply_webhook": partial(apply_webhook, services),
        "cin7.refresh_stock": partial(refresh_stock, services),
        "cin7.sync_catalog": partial(sync_catalog, services),
        WATCHDOG_KIND: partial(watch_webhooks, services),
    }
