"""A connection's health (seed 001's health page), remembered 30 s per tenant.

Everything comes from the hub's own records (connection, webhook registrations, jobs, the
shared rate budget): a health page polled by many screens costs the provider no call.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from tillsync.clock import Clock
from tillsync.connectors.contract import Provider
from tillsync.errors import ConfigurationError
from tillsync.services.connections.links import DISCONNECTED, budget_for, find_connection
from tillsync.services.context import Services
from tillsync.store.tables import Connection, Job, WebhookRegistration

TTL_SECONDS = 30.0
MAX_REMEMBERED = 10_000
JOB_STATES = {"pending": "pending", "syncing": "running", "retry": "retrying", "failed": "failed"}
RECENT = dt.timedelta(hours=24)
"""A failed job makes the connection unhealthy for this long (it stays listed until retried)."""


class HealthCache:
    """One provider's answers remembered per tenant; credential changes in this process
    forget them at once."""

    def __init__(self, clock: Clock, provider: str, *, ttl_seconds: float = TTL_SECONDS) -> None:
        self.clock = clock
        self.provider = provider
        self.ttl = dt.timedelta(seconds=ttl_seconds)
        self._known: dict[str, tuple[dict[str, Any], dt.datetime]] = {}

    async def get(self, services: Services, tenant_id: str) -> dict[str, Any]:
        now = self.clock.now()
        known = self._known.get(tenant_id)
        if known is not None and known[1] > now:
            return {**known[0], "cached": True}
        answer = await report(services, tenant_id, services.providers.get(self.provider))
        if len(self._known) >= MAX_REMEMBERED:
            self._known.clear()
        self._known[tenant_id] = (answer, now + self.ttl)
        return {**answer, "cached": False}

    def forget(self, tenant_id: str) -> None:
        self._known.pop(tenant_id, None)


async def report(services: Services, tenant_id: str, provider: Provider) -> dict[str, Any]:
    now = services.uows.clock.now()
    async with services.uows.read() as session:
        connection = await find_connection(session, tenant_id, provider.name)
        if connection is None:
            return _absent(now, provider)
        registrations = list(
            await session.scalars(
                select(WebhookRegistration)
                .where(WebhookRegistration.connection_id == connection.id)
                .order_by(WebhookRegistration.event_type)
            )
        )
        counted = await session.execute(
            select(Job.state, func.count())
            .where(Job.connection_id == connection.id, Job.state.in_(JOB_STATES))
            .group_by(Job.state)
        )
        jobs = dict.fromkeys(JOB_STATES.values(), 0)
        for state, count in counted:
            jobs[JOB_STATES[state]] = int(count)
        jobs["failedRecently"] = int(
            await session.scalar(
                select(func.count()).where(
                    Job.connection_id == connection.id,
                    Job.state == "failed",
                    Job.completed_at > now - RECENT,
                )
            )
            or 0
        )
    connected = bool(connection.credentials) and connection.status != DISCONNECTED
    webhooks = [
        {
            "type": r.event_type,
            "status": r.status,
            "error": r.last_error,
            "updatedAt": r.updated_at.isoformat(),
        }
        for r in registrations
    ]
    rate = await _rate(services, connection) if connected else None
    problems = _problems(connection, provider, webhooks, jobs, rate_known=rate is not None)
    return {
        "connected": connected,
        "healthy": connected and not problems,
        "status": connection.status,
        "accountName": connection.account_name,
        "lastSuccessfulSync": _iso(connection.last_sync_at),
        "errorCount": connection.error_count,
        "failingSince": _iso(connection.failing_since),
        "lastError": connection.last_error,
        "webhooks": webhooks,
        "rateLimit": rate,
        "jobs": jobs,
        "problems": problems,
        "checkedAt": now.isoformat(),
    }


async def _rate(services: Services, connection: Connection) -> dict[str, Any] | None:
    try:
        budget, spec = budget_for(services, connection)
    except ConfigurationError:
        return None
    usage = await services.budgets.usage(budget, spec)
    return {
        "used": usage["used"],
        "limit": spec.calls,
        "windowSeconds": spec.window_seconds,
        "denied": usage["denied"],
    }


def _problems(
    connection: Connection,
    provider: Provider,
    webhooks: list[dict[str, Any]],
    jobs: dict[str, int],
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
    problems += [
        f"webhook {w['type']} is {w['status']}" for w in webhooks if w["status"] != "active"
    ]
    if jobs["failedRecently"]:
        problems.append(f"{jobs['failedRecently']} job(s) failed in the last 24 hours")
    return problems


def _absent(now: dt.datetime, provider: Provider) -> dict[str, Any]:
    return {
        "connected": False,
        "healthy": False,
        "status": "not_connected",
        "accountName": None,
        "lastSuccessfulSync": None,
        "errorCount": 0,
        "failingSince": None,
        "lastError": None,
        "webhooks": [],
        "rateLimit": None,
        "jobs": {**dict.fromkeys(JOB_STATES.values(), 0), "failedRecently": 0},
        "problems": [f"{provider.title} is not connected"],
        "checkedAt": now.isoformat(),
    }


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None
