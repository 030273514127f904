"""Retention: the hub forgets finished work after `retention_days`, daily, in small steps."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.connectors.deliveries import SignedDeliveries
from tillsync.jobs.store import NewJob
from tillsync.jobs.worker import JobContext
from tillsync.services.context import Services
from tillsync.store.tables import (
    Event,
    InboxEntry,
    InventoryCheck,
    Job,
    OAuthState,
    RateGrant,
    Run,
)

log = logging.getLogger(__name__)
RETENTION_KIND = "maintenance.retention"
EVENT_DAYS = 1
GRANT_DAYS = 1


async def due_retention(session: AsyncSession, now: dt.datetime) -> Sequence[NewJob]:
    return [
        NewJob(
            kind=RETENTION_KIND,
            payload={},
            idempotency_key=f"retention:{now.date().isoformat()}",
            priority=500,
        )
    ]


def _replayable(services: Services, now: dt.datetime) -> dt.datetime:
    """Deliveries a provider could still send again are kept, so their dedupe holds."""
    windows = [
        p.deliveries.replay_window
        for p in services.providers
        if isinstance(p.deliveries, SignedDeliveries)
    ]
    return now - max(windows, default=dt.timedelta(0))


async def apply_retention(services: Services, ctx: JobContext) -> None:
    """Finished jobs (their attempts go with them), applied deliveries, old logs."""
    now = services.uows.clock.now()
    keep = now - dt.timedelta(days=services.settings.retention_days)
    statements: list[Any] = [
        delete(Job).where(Job.state.in_(("success", "batched")), Job.completed_at < keep),
        delete(InboxEntry).where(
            InboxEntry.status == "processed",
            InboxEntry.received_at < min(keep, _replayable(services, now)),
        ),
        delete(InventoryCheck).where(InventoryCheck.checked_at < keep),
        delete(Run).where(Run.started_at < keep),
        delete(Event).where(Event.created_at < now - dt.timedelta(days=EVENT_DAYS)),
        delete(RateGrant).where(RateGrant.granted_at < now - dt.timedelta(days=GRANT_DAYS)),
        # an expired state is refused by its signature's age: its row is no longer needed
        delete(OAuthState).where(OAuthState.expires_at < now - dt.timedelta(days=GRANT_DAYS)),
    ]
    removed = 0
    for statement in statements:
        async with services.uows.begin() as uow:
            result = await uow.session.execute(statement)
            removed += int(getattr(result, "rowcount", 0) or 0)
            await uow.commit()
    log.info("retention applied", extra={"rows_removed": removed, "kept_after": keep.isoformat()})
