"""The CIN7 job kinds and the handlers that run them."""

from __future__ import annotations

from functools import partial

from tillsync.jobs.worker import Handler
from tillsync.services.cin7.catalog import sync_catalog
from tillsync.services.cin7.push import push_batch, push_sale
from tillsync.services.context import Services


def handlers(services: Services) -> dict[str, Handler]:
    return {
        "cin7.push_sale": partial(push_sale, services),
        "cin7.push_batch": partial(push_batch, services),
        "cin7.sync_catalog": partial(sync_catalog, services),
    }
