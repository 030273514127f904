"""Pulls on a schedule: the interval sync and the daily safety sync at 03:00 tenant time.

Every connection to a provider in the warehouse role gets them. The daily safety sync is a
reconciliation: a full pull that also reports the drift it repairs and checks our
webhooks, so the night costs one full pull, not two.

Interval pulls start at the beginning of each slot of the interval (counted from the
epoch), not an interval after the last one ended: pulls an interval apart keep a change
made at the provider to at most an interval (plus the pull) away from the hub, where
counting from the end let a pull's duration and the scheduler's tick add up to half an
interval more. A pull that ended within the current slot (a manual one, the daily one)
stands in for the slot's.

The duty is made from the registry (`due_syncs(providers)`): the scheduler calls a duty
with a session and the time only, and the hub's registry, not a default one, says which
providers are warehouses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.jobs.scheduler import Duty, interval_slot
from tillsync.jobs.store import NewJob
from tillsync.providers import Providers
from tillsync.services.connections.roles import plays
from tillsync.services.sync.pulls import PRIORITIES, sync_kind, warehouses
from tillsync.services.sync_turns import BUSY_STATES
from tillsync.store.tables import Connection, Job, Tenant

DAILY_HOUR = 3
DAILY_WINDOW = dt.timedelta(hours=2)


def due_syncs(providers: Providers) -> Duty:
    """The duty that queues the pulls due now from every warehouse connection."""
    names = warehouses(providers)

    async def due(session: AsyncSession, now: dt.datetime) -> Sequence[NewJob]:
        return await _due(session, now, names)

    return due


async def _due(session: AsyncSession, now: dt.datetime, names: list[str]) -> Sequence[NewJob]:
    busy = select(Job.connection_id).where(
        Job.kind.in_([sync_kind(name) for name in names]), Job.state.in_(BUSY_STATES)
    )
    rows = await session.execute(
        select(Connection, Tenant.timezone)
        .join(Tenant, Tenant.id == Connection.tenant_id)
        .where(
            Connection.provider.in_(names),
            Connection.status == "active",
            Connection.credentials != "",  # disconnected: nothing to pull with
            Connection.id.not_in(busy),  # one pull at a time per connection
        )
    )
    jobs: list[NewJob] = []
    for connection, timezone in rows:
        settings = connection.settings
        if not plays(connection, "warehouse") or not settings.get("auto_sync", True):
            continue
        day = daily_window(now, timezone)
        daily = f"daily:{day.isoformat()}" if day else ""
        if day and not await _exists(session, connection, daily):
            jobs.append(_sync(connection, key=daily, reason="daily", mode="reconcile"))
            continue  # one pull at a time: the interval one waits for the next tick
        minutes = float(settings.get("sync_interval_minutes", 15))
        slot = interval_slot(now, minutes)
        began = dt.datetime.fromtimestamp(slot * minutes * 60, dt.UTC)
        if not (connection.last_sync_at and connection.last_sync_at >= began):
            jobs.append(_sync(connection, key=f"interval:{slot}", reason="interval", mode="full"))
    return jobs


async def _exists(session: AsyncSession, connection: Connection, key: str) -> bool:
    found = await session.scalar(
        select(Job.id).where(
            Job.kind == sync_kind(connection.provider),
            Job.idempotency_key == f"{connection.id}:{key}",
        )
    )
    return found is not None


def daily_window(now: dt.datetime, timezone: str) -> dt.date | None:
    """The tenant's local date while its daily window (from 03:00 local) is open, else None."""
    local = now.astimezone(tenant_zone(timezone))
    opens = local.replace(hour=DAILY_HOUR, minute=0, second=0, microsecond=0)
    return local.date() if opens <= local < opens + DAILY_WINDOW else None


def tenant_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _sync(connection: Connection, *, key: str, reason: str, mode: str) -> NewJob:
    return NewJob(
        kind=sync_kind(connection.provider),
        payload={"type": "automatic", "reason": reason, "mode": mode},
        idempotency_key=f"{connection.id}:{key}",
        tenant_id=connection.tenant_id,
        connection_id=connection.id,
        subject=mode,
        priority=PRIORITIES[mode],
    )
