"""A connection's health (seed 001's health page), remembered 30 s per tenant.

Everything comes from the hub's own records (connection, webhook registrations, jobs, the
shared rate budget): a health page polled by many screens costs the provider no call.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Literal, get_args

from sqlalchemy import func, select

from tillsync.clock import Clock
from tillsync.connectors.contract import Provider
from tillsync.errors import ConfigurationError
from tillsync.services.connections.links import (
    DISCONNECTED,
    budget_for,
    find_connection,
    provider_of,
    settings_of,
    windows_of,
)
from tillsync.services.connections.roles import roles_of
from tillsync.services.context import Services
from tillsync.store.snapshots import one_of
from tillsync.store.tables import Connection, Job, WebhookRegistration

TTL_SECONDS = 30.0
MAX_REMEMBERED = 10_000
RECENT = dt.timedelta(hours=24)
"""A failed job makes the connection unhealthy for this long (it stays listed until retried)."""

ConnectionStatus = Literal["active", "reauth_required", "disconnected", "not_connected"]
"""The stored connection's status; `not_connected`: there never was a connection."""
WebhookStatus = Literal["pending", "active", "failed", "orphaned", "removed"]
JOB_STATES = {"pending": "pending", "syncing": "running", "retry": "retrying", "failed": "failed"}
"""The job states counted, by the name of their count."""


@dataclass(frozen=True, slots=True)
class WebhookHealth:
    event_type: str
    status: WebhookStatus
    error: str | None
    updated_at: dt.datetime


@dataclass(frozen=True, slots=True)
class WindowUse:
    """Calls counted in one of the provider's further windows (a day's quota)."""

    name: str
    used: int
    limit: int
    window_seconds: float
    denied: int
    reserve: float
    """The share kept for order and sale pushes: other work stops before it."""


@dataclass(frozen=True, slots=True)
class RateBudgetUse:
    """Calls counted against the connection's rate budget in its current window."""

    used: int
    limit: int
    window_seconds: float
    denied: int
    windows: tuple[WindowUse, ...] = ()
    """The provider's further windows on the same account (a day's quota)."""


@dataclass(frozen=True, slots=True)
class JobCounts:
    """The connection's jobs waiting, running, retrying and failed (for good)."""

    pending: int = 0
    running: int = 0
    retrying: int = 0
    failed: int = 0
    failed_recently: int = 0
    """Of the failed, those that failed in the last 24 hours."""


@dataclass(frozen=True, slots=True)
class ConnectionHealth:
    connected: bool
    healthy: bool
    status: ConnectionStatus
    account_name: str | None
    last_successful_sync: dt.datetime | None
    error_streak: int
    """Calls to the provider that failed in a row, up to now."""
    failing_since: dt.datetime | None
    last_error: str | None
    webhooks: tuple[WebhookHealth, ...]
    rate_budget: RateBudgetUse | None
    """None when not connected, or when the stored credentials cannot be opened."""
    jobs: JobCounts
    problems: tuple[str, ...]
    """What keeps the connection from being healthy, in words for the seller."""
    checked_at: dt.datetime
    cached: bool = False
    """Remembered from a check of the last 30 s."""
    roles: tuple[str, ...] = ()
    """What the connection plays (what it would play by default, when not connected)."""


class HealthCache:
    """One provider's answers remembered per tenant; credential changes in this process
    forget them at once."""

    def __init__(self, clock: Clock, provider: str, *, ttl_seconds: float = TTL_SECONDS) -> None:
        self.clock = clock
        self.provider = provider
        self.ttl = dt.timedelta(seconds=ttl_seconds)
        self._known: dict[str, tuple[ConnectionHealth, dt.datetime]] = {}

    async def get(self, services: Services, tenant_id: str) -> ConnectionHealth:
        now = self.clock.now()
        known = self._known.get(tenant_id)
        if known is not None and known[1] > now:
            return replace(known[0], cached=True)
        health = await report(services, tenant_id, services.providers.get(self.provider))
        if len(self._known) >= MAX_REMEMBERED:
            self._known.clear()
        self._known[tenant_id] = (health, now + self.ttl)
        return health

    def forget(self, tenant_id: str) -> None:
        self._known.pop(tenant_id, None)


async def report(services: Services, tenant_id: str, provider: Provider) -> ConnectionHealth:
    now = services.uows.clock.now()
    async with services.uows.read() as session:
        connection = await find_connection(session, tenant_id, provider.name)
        if connection is None:
            return _absent(now, provider)
        registrations = await session.scalars(
            select(WebhookRegistration)
            .where(WebhookRegistration.connection_id == connection.id)
            .order_by(WebhookRegistration.event_type)
        )
        webhooks = tuple(
            WebhookHealth(
                event_type=r.event_type,
                status=one_of(r.status, get_args(WebhookStatus)),
                error=r.last_error,
                updated_at=r.updated_at,
            )
            for r in registrations
        )
        counted = await session.execute(
            select(Job.state, func.count())
            .where(Job.connection_id == connection.id, Job.state.in_(JOB_STATES))
            .group_by(Job.state)
        )
        failed_recently = await session.scalar(
            select(func.count()).where(
                Job.connection_id == connection.id,
                Job.state == "failed",
                Job.completed_at > now - RECENT,
            )
        )
        jobs = JobCounts(
            **{JOB_STATES[state]: int(count) for state, count in counted},
            failed_recently=int(failed_recently or 0),
        )
    connected = bool(connection.credentials) and connection.status != DISCONNECTED
    rate = await _rate(services, connection) if connected else None
    problems = _problems(connection, provider, webhooks, jobs, rate_known=rate is not None)
    return ConnectionHealth(
        connected=connected,
        healthy=connected and not problems,
        status=one_of(connection.status, get_args(ConnectionStatus)),
        account_name=connection.account_name,
        last_successful_sync=connection.last_sync_at,
        error_streak=connection.error_count,
        failing_since=connection.failing_since,
        last_error=connection.last_error,
        webhooks=webhooks,
        rate_budget=rate,
        jobs=jobs,
        problems=tuple(problems),
        checked_at=now,
        roles=tuple(sorted(roles_of(connection))),
    )


async def _rate(services: Services, connection: Connection) -> RateBudgetUse | None:
    try:
        budget, spec = budget_for(services, connection)
    except ConfigurationError:
        return None
    provider = provider_of(services, connection)
    further = windows_of(provider, budget, settings_of(provider, connection.settings))
    usage = await services.budgets.usages(dict([*further, (budget, spec)]))
    return RateBudgetUse(
        used=int(usage[budget]["used"]),
        limit=spec.calls,
        window_seconds=spec.window_seconds,
        denied=int(usage[budget]["denied"]),
        windows=tuple(
            WindowUse(
                name=window.name,
                used=int(usage[name]["used"]),
                limit=counted.calls,
                window_seconds=counted.window_seconds,
                denied=int(usage[name]["denied"]),
                reserve=counted.reserve,
            )
            for window, (name, counted) in zip(provider.rate_limit.windows, further, strict=True)
        ),
    )


def _problems(
    connection: Connection,
    provider: Provider,
    webhooks: tuple[WebhookHealth, ...],
    jobs: JobCounts,
    *,
    rate_known: bool,
) -> list[str]:
    if not connection.credentials or connection.status == DISCONNECTED:
        return ["disconnected: no credentials are stored"]
    problems = []
    if connection.status != "active":
        problems.append(f"the connection is {connection.status}")
    if not rate_known:
        problems.append("the stored credentials cannot be opened with the hub's keys")
    if connection.error_count:
        problems.append(f"{connection.error_count} call(s) to {provider.title} failed in a row")
    problems += [f"webhook {w.event_type} is {w.status}" for w in webhooks if w.status != "active"]
    if jobs.failed_recently:
        problems.append(f"{jobs.failed_recently} job(s) failed in the last 24 hours")
    return problems


def _absent(now: dt.datetime, provider: Provider) -> ConnectionHealth:
    return ConnectionHealth(
        connected=False,
        healthy=False,
        status="not_connected",
        account_name=None,
        last_successful_sync=None,
        error_streak=0,
        failing_since=None,
        last_error=None,
        webhooks=(),
        rate_budget=None,
        jobs=JobCounts(),
        problems=(f"{provider.title} is not connected",),
        checked_at=now,
        roles=tuple(sorted(provider.usual_roles)),
    )
