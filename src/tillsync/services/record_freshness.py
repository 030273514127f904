"""How fresh each entity's records are, and syncs asked for by freshness: a smart sync
refreshes only entities whose last whole listing is older than a day, a forced one all.

An entity's age is counted from the start of its latest successful sync (a webhook's
single-object update does not count: it says nothing of the objects it did not name).
A smart sync of fresh entities makes no call to the provider.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from tillsync.services.context import Services
from tillsync.services.record_sync import (
    QueuedSync,
    check_entity,
    last_record_syncs,
    queue_record_sync,
    record_connection,
)

FRESH_FOR = dt.timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Freshness:
    entity: str
    last_sync_at: dt.datetime | None
    """When the latest successful sync began; None: never synced."""
    age: dt.timedelta | None

    @property
    def needs_sync(self) -> bool:
        return self.age is None or self.age >= FRESH_FOR


@dataclass(frozen=True, slots=True)
class EntitySync:
    """One entity of a sync request: queued, or skipped as fresh (`freshness` says why)."""

    freshness: Freshness
    queued: QueuedSync | None


async def freshness(services: Services, *, tenant_id: str, provider: str) -> list[Freshness]:
    """Every entity the provider keeps, in its declared order, for the tenant's connection."""
    declared = services.providers.get(provider)
    async with services.uows.read() as session:
        connection = await record_connection(session, services, tenant_id, provider)
        last = await last_record_syncs(session, connection, declared)
    now = services.uows.clock.now()
    return [freshness_of(entity, last.get(entity), now) for entity in declared.record_entities]


async def sync_by_freshness(
    services: Services,
    *,
    tenant_id: str,
    provider: str,
    entities: Sequence[str] | None,
    force: bool,
    run_type: str = "manual",
    field: str = "entities",
) -> list[EntitySync]:
    """Queue the entities that need it (all of them when `force`), in one transaction.

    `entities`: None or empty, every one the provider keeps. An unknown name is a 400 naming
    it; an entity to sync that is already queued or running refuses the whole request with
    that run (`RecordSyncInProgress`), so nothing is half queued.
    """
    declared = services.providers.get(provider)
    asked = list(dict.fromkeys(entities or declared.record_entities))
    for name in asked:
        check_entity(declared, name, field=field)
    results: list[EntitySync] = []
    async with services.uows.begin() as uow:
        connection = await record_connection(uow.session, services, tenant_id, provider)
        last = await last_record_syncs(uow.session, connection, declared)
        for name in asked:
            fresh = freshness_of(name, last.get(name), uow.now)
            queued = None
            if force or fresh.needs_sync:
                queued = await queue_record_sync(uow, connection, name, run_type=run_type)
            results.append(EntitySync(fresh, queued))
        await uow.commit()
    return results


def freshness_of(entity: str, last: dt.datetime | None, now: dt.datetime) -> Freshness:
    age = max(now - last, dt.timedelta(0)) if last is not None else None
    return Freshness(entity=entity, last_sync_at=last, age=age)
