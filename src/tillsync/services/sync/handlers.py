"""The sync job kinds: a pull for every provider in the warehouse role, a records sync for
every provider that keeps records."""

from __future__ import annotations

from functools import partial

from tillsync.jobs.worker import Handler
from tillsync.services.context import Services
from tillsync.services.record_sync import sync_kind as records_kind
from tillsync.services.record_sync import sync_records
from tillsync.services.sync.catalog import sync_catalog
from tillsync.services.sync.pulls import sync_kind


def handlers(services: Services) -> dict[str, Handler]:
    kinds: dict[str, Handler] = {
        sync_kind(provider.name): partial(sync_catalog, services)
        for provider in services.providers.with_role("warehouse")
    }
    for provider in services.providers:
        if provider.record_entities:
            kinds[records_kind(provider.name)] = partial(sync_records, services)
    return kinds
