"""The sync job kinds: a pull for every provider in the warehouse role."""

from __future__ import annotations

from functools import partial

from tillsync.jobs.worker import Handler
from tillsync.services.context import Services
from tillsync.services.sync.catalog import sync_catalog
from tillsync.services.sync.pulls import sync_kind


def handlers(services: Services) -> dict[str, Handler]:
    return {
        sync_kind(provider.name): partial(sync_catalog, services)
        for provider in services.providers.with_role("warehouse")
    }
