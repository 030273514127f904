"""The hub's figures that live in the database, read at scrape time.

Every process reads the same rows, so every process answers the same truth: jobs by kind
and state, how long the oldest due job has waited, webhook deliveries and the inbox's lag,
rate-budget use per provider, sales, live workers. No figure names a tenant, an account or
a SKU: each is summed over tenants (rate budgets: the busiest account of each provider).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Sequence

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.connectors.budget import BudgetSpec
from tillsync.errors import TillsyncError
from tillsync.jobs.heartbeat import live_workers
from tillsync.jobs.store import DUE_STATES
from tillsync.services.connections.links import DISCONNECTED, budget_for
from tillsync.services.context import Services
from tillsync.store.tables import Connection, InboxEntry, Job, Sale

log = logging.getLogger(__name__)
READ_SECONDS = 5.0


async def database_figures(services: Services) -> list[Metric]:
    """The figures, and `tillsync_database_up` (0 with none of them when the read failed)."""
    up = GaugeMetricFamily(
        "tillsync_database_up", "Whether this scrape could read the hub's figures from the database"
    )
    try:
        async with asyncio.timeout(READ_SECONDS):
            families = await _read(services)
    except Exception as exc:
        log.warning("reading the hub's figures failed", extra={"error": type(exc).__name__})
        up.add_metric([], 0)
        return [up]
    up.add_metric([], 1)
    return [up, *families]


async def _read(services: Services) -> list[Metric]:
    uows = services.uows
    now = uows.clock.now()
    async with uows.read() as session:
        families = [
            *await _jobs(session, now),
            *await _inbox(session, now),
            await _sales(session),
            GaugeMetricFamily(
                "tillsync_workers",
                "Workers heard from within the heartbeat timeout (embedded ones included)",
                value=await live_workers(
                    session, now=now, within=services.settings.heartbeat_timeout_seconds
                ),
            ),
        ]
        connections = (
            await session.scalars(select(Connection).where(Connection.status != DISCONNECTED))
        ).all()
    return [*families, *await _budgets(services, connections)]


async def _jobs(session: AsyncSession, now: dt.datetime) -> list[Metric]:
    jobs = GaugeMetricFamily("tillsync_jobs", "Jobs by kind and state", labels=["kind", "state"])
    counts = await session.execute(
        select(Job.kind, Job.state, func.count()).group_by(Job.kind, Job.state)
    )
    for kind, state, count in counts:
        jobs.add_metric([kind, state], count)
    oldest = await session.scalar(
        select(func.min(Job.next_attempt_at)).where(
            Job.state.in_(DUE_STATES), Job.next_attempt_at <= now
        )
    )
    waiting = GaugeMetricFamily(
        "tillsync_job_oldest_due_seconds",
        "How long the oldest due job has waited for a worker (0: none is waiting)",
        value=_age(now, oldest),
    )
    return [jobs, waiting]


async def _inbox(session: AsyncSession, now: dt.datetime) -> list[Metric]:
    kept = GaugeMetricFamily(
        "tillsync_webhook_deliveries",
        "Webhook deliveries kept in the inbox, by provider and status",
        labels=["provider", "status"],
    )
    lag = GaugeMetricFamily(
        "tillsync_webhook_inbox_lag_seconds",
        "Age of the oldest delivery received and not yet applied, by provider (0: none)",
        labels=["provider"],
    )
    providers: set[str] = set()
    counts = await session.execute(
        select(InboxEntry.provider, InboxEntry.status, func.count()).group_by(
            InboxEntry.provider, InboxEntry.status
        )
    )
    for provider, status, count in counts:
        kept.add_metric([provider, status], count)
        providers.add(provider)
    oldest = await session.execute(
        select(InboxEntry.provider, func.min(InboxEntry.received_at))
        .where(InboxEntry.status == "received")
        .group_by(InboxEntry.provider)
    )
    waiting: dict[str, dt.datetime] = dict(oldest.all())
    for provider in sorted(providers):
        lag.add_metric([provider], _age(now, waiting.get(provider)))
    return [kept, lag]


async def _sales(session: AsyncSession) -> Metric:
    sales = CounterMetricFamily(
        "tillsync_sales",
        "Sales recorded, by source (pos: the tenant's own apps; external: seen at a provider)",
        labels=["source"],
    )
    for source, count in await session.execute(
        select(Sale.source, func.count()).group_by(Sale.source)
    ):
        sales.add_metric([source], count)
    return sales


async def _budgets(services: Services, connections: Sequence[Connection]) -> list[Metric]:
    specs: dict[str, BudgetSpec] = {}
    provider_of: dict[str, str] = {}
    for connection in connections:
        try:
            budget, spec = budget_for(services, connection)
        except TillsyncError as exc:  # its keys cannot be opened: its health page tells
            log.warning(
                "a connection's rate budget was left out of the metrics",
                extra={"connection_id": connection.id, "error": type(exc).__name__},
            )
            continue
        specs[budget], provider_of[budget] = spec, connection.provider
    usages = await services.budgets.usages(specs)
    ratio = GaugeMetricFamily(
        "tillsync_rate_budget_use_ratio",
        "Share of its rate budget the busiest account of each provider used in its window",
        labels=["provider"],
    )
    denied = CounterMetricFamily(
        "tillsync_rate_budget_denied",
        "Calls the shared rate budgets made wait, by provider",
        labels=["provider"],
    )
    busiest: dict[str, float] = {}
    refused: dict[str, int] = {}
    for budget, usage in usages.items():
        provider = provider_of[budget]
        share = usage["used"] / usage["calls"] if usage["calls"] else 0.0
        busiest[provider] = max(busiest.get(provider, 0.0), share)
        refused[provider] = refused.get(provider, 0) + int(usage["denied"])
    for provider in sorted(busiest):
        ratio.add_metric([provider], busiest[provider])
        denied.add_metric([provider], refused[provider])
    return [ratio, denied]


def _age(now: dt.datetime, since: dt.datetime | None) -> float:
    return max((now - since).total_seconds(), 0.0) if since is not None else 0.0
