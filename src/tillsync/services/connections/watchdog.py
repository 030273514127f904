"""The webhook watchdog: our webhooks that a provider switched off, or that are gone, restored.

A provider may silently switch a webhook off after its last failed delivery (shared/providers/
describes which), and a webhook can be deleted or edited at the provider by hand. Every
`webhook_watchdog_minutes` (15 by default) a job lists the provider's webhooks and, for each
type we register, turns ours back on, re-registers it, or puts our token back. Each repair is
committed on its own with its registration row and one notification, so a retry neither
repeats nor loses one; one type failing does not stop the others and is left in its
registration (status, last error) for the health endpoint. Then a quick sync is queued to
fetch what the missed deliveries would have brought (all of availability when stock
deliveries were missed, as availability cannot be asked for changes only; the sales other
channels shipped meanwhile when a sale webhook was repaired).

Those sales are asked for from the earliest a missed delivery can date from, not from the
last pull (pulls do not fetch sales): one watchdog interval before this check (the last
found the webhook on) less the time a provider retries a delivery before switching it off.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.connectors.budget import lane_for
from tillsync.connectors.contract import Provider, RemoteWebhook
from tillsync.connectors.deliveries import EventKind
from tillsync.domain.drift import Difference
from tillsync.errors import ProviderError
from tillsync.jobs.scheduler import Duty, interval_slot
from tillsync.jobs.store import NewJob
from tillsync.jobs.worker import JobContext
from tillsync.providers import Providers
from tillsync.services.connections.links import load_connection, provider_of, warehouse_for
from tillsync.services.connections.registrations import (
    registration_row,
    webhook_secret,
    webhook_url,
)
from tillsync.services.context import Services
from tillsync.services.notifications import notify
from tillsync.services.sync import drift, pulls
from tillsync.store.tables import Connection, WebhookRegistration

VERB = "webhook_watchdog"
DEFAULT_MINUTES = 15.0
PRIORITY = 100
RETRY_SPAN = dt.timedelta(minutes=90)
"""The longest a provider retries a delivery before switching its webhook off (≈76 min at the
warehouse we know), with a margin."""
FOUND = {
    "inactive": "{title} switched off",
    "missing": "{title} no longer has",
    "stale": "{title} holds another token for",
}


def watchdog_kind(provider: str) -> str:
    return f"{provider}.{VERB}"


@dataclass(frozen=True, slots=True)
class Repair:
    event_type: str
    found: str
    """What was wrong: inactive, missing or stale (another token)."""
    fixed: bool
    error: str | None = None


def watchdogs(providers: Providers) -> Duty:
    """The duty: one watchdog per connected connection whose provider takes webhooks, per slot."""
    watched = [provider.name for provider in providers if provider.webhook_types]

    async def due_watchdogs(session: AsyncSession, now: dt.datetime) -> Sequence[NewJob]:
        connections = await session.scalars(
            select(Connection).where(
                Connection.provider.in_(watched), Connection.status == "active"
            )
        )
        jobs = []
        for connection in connections:
            if not connection.credentials:
                continue  # disconnected: nothing of ours is left at the provider
            minutes = _minutes(connection)
            jobs.append(
                NewJob(
                    kind=watchdog_kind(connection.provider),
                    payload={},
                    idempotency_key=f"{connection.id}:watchdog:{interval_slot(now, minutes)}",
                    tenant_id=connection.tenant_id,
                    connection_id=connection.id,
                    priority=PRIORITY,
                )
            )
        return jobs

    return due_watchdogs


async def watch_webhooks(services: Services, ctx: JobContext) -> None:
    async with services.uows.read() as session:
        connection = await load_connection(session, ctx.job.connection_id)
    if not connection.credentials:
        return
    await check_webhooks(
        services, connection, lane=lane_for(ctx.job.priority), event_key=ctx.job.id, ctx=ctx
    )
    repaired = ctx.checkpoint.get("repaired", [])
    if not repaired or ctx.checkpoint.get("caught_up"):
        return
    kinds = {_kind(provider_of(services, connection), event_type) for event_type in repaired}
    options: dict[str, Any] = {"stock": "all"} if EventKind.STOCK in kinds else {}
    if EventKind.SALE in kinds:
        missed = ctx.job.created_at - dt.timedelta(minutes=_minutes(connection)) - RETRY_SPAN
        options["sales_since"] = missed.isoformat()
    async with services.uows.begin() as uow:
        with contextlib.suppress(pulls.PullInProgress):  # one queued fetches the same
            await pulls.queue_pull(
                uow, connection, mode="quick", run_type="automatic", options=options
            )
        await ctx.save_in(uow.session, caught_up=True)
        await uow.commit()


def _minutes(connection: Connection) -> float:
    return float(connection.settings.get("webhook_watchdog_minutes") or DEFAULT_MINUTES)


def _kind(provider: Provider, event_type: str) -> EventKind:
    return provider.deliveries.kind(event_type) if provider.deliveries else EventKind.OTHER


async def check_webhooks(
    services: Services,
    connection: Connection,
    *,
    lane: str,
    event_key: str,
    run_id: str | None = None,
    ctx: JobContext | None = None,
) -> list[Repair]:
    """Compare our webhooks at the provider with what they must be; repair each that differs.

    `event_key` makes each repair's notification unique to this check; with `run_id` the
    repairs are also written to that reconciliation's drift report.
    """
    provider = provider_of(services, connection)
    warehouse = warehouse_for(services, connection, lane=lane)
    url = webhook_url(services, connection)
    token = webhook_secret(services, connection)
    hooks = [hook for hook in await warehouse.webhooks() if hook.url == url]
    async with services.uows.read() as session:
        known = {
            r.event_type: r.external_id
            for r in await session.scalars(
                select(WebhookRegistration).where(
                    WebhookRegistration.connection_id == connection.id
                )
            )
        }
    repairs = []
    for event_type in provider.webhook_types:
        same = [hook for hook in hooks if hook.event_type == event_type]
        hook = next((h for h in same if h.external_id == known.get(event_type)), None)
        hook = hook or next((h for h in same if h.active), None)
        hook = hook or (same[0] if same else None)
        found = _fault(hook, token)
        if found is None:
            assert hook is not None
            await _settle(services, connection, event_type, hook.external_id, None)
            continue
        external_id = hook.external_id if hook is not None else None
        try:
            answer = await warehouse.register_webhook(
                event_type, url=url, token=token, external_id=external_id
            )
            external_id = answer or external_id
            repair = Repair(event_type, found, fixed=True)
        except ProviderError as exc:
            repair = Repair(event_type, found, fixed=False, error=exc.message[:500])
        await _settle(
            services,
            connection,
            event_type,
            external_id,
            repair,
            event_key=event_key,
            run_id=run_id,
            ctx=ctx,
        )
        repairs.append(repair)
    return repairs


def _fault(hook: RemoteWebhook | None, token: str) -> str | None:
    if hook is None:
        return "missing"
    if not hook.active:
        return "inactive"
    if hook.token not in (None, "", token):
        return "stale"
    return None


async def _settle(
    services: Services,
    connection: Connection,
    event_type: str,
    external_id: str | None,
    repair: Repair | None,
    *,
    event_key: str = "",
    run_id: str | None = None,
    ctx: JobContext | None = None,
) -> None:
    """The registration row, and for a repair its notification, drift item and checkpoint."""
    async with services.uows.begin() as uow:
        session = uow.session
        registration = await registration_row(uow, connection, event_type)
        status = "failed" if repair is not None and not repair.fixed else "active"
        error = repair.error if repair is not None else None
        current = (registration.status, registration.last_error, registration.external_id)
        if current != (status, error, external_id or registration.external_id):
            registration.status, registration.last_error = status, error
            registration.external_id = external_id or registration.external_id
            registration.updated_at = uow.now
        if repair is not None and repair.fixed:
            title = provider_of(services, connection).title
            found = FOUND[repair.found].format(title=title)
            await notify(
                session,
                tenant_id=connection.tenant_id,
                connection_id=connection.id,
                kind="webhook",
                severity="warning",
                title=f"{found} the {event_type} webhook",
                message=(
                    f"{found} tillsync's {event_type} webhook ({title} switches a "
                    "webhook off after its deliveries keep failing). tillsync has restored "
                    "it and is fetching what changed meanwhile."
                ),
                dedupe_key=f"{connection.id}:webhook:{event_type}:{repair.found}:{event_key}",
                now=uow.now,
                settings=services.settings,
            )
            if ctx is not None:
                repaired = [*ctx.checkpoint.get("repaired", []), event_type]
                await ctx.save_in(session, repaired=repaired)
        if repair is not None and run_id is not None:
            difference = Difference(
                "webhook", event_type, "active", repair.found, repair.fixed, note=repair.error
            )
            await drift.record(
                session,
                tenant_id=connection.tenant_id,
                run_id=run_id,
                differences=[difference],
                now=uow.now,
            )
        await uow.commit()
