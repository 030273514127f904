"""The webhook watchdog: our CIN7 webhooks that CIN7 switched off, or that are gone, restored.

CIN7 silently sets a webhook's `IsActive` to false after its last failed delivery
(cin7-core.md §6), and a webhook can be deleted or edited at CIN7 by hand. Every
`webhook_watchdog_minutes` (15 by default) a job lists CIN7's webhooks and, for each type
we register, turns ours back on, re-registers it, or puts our token back. Each repair is
committed on its own with its registration row and one notification, so a retry neither
repeats nor loses one; one type failing does not stop the others and is left in its
registration (status, last error) for the health endpoint. Then a quick sync is queued to
fetch what the missed deliveries would have brought (all of availability when stock
deliveries were missed, as CIN7's availability cannot be asked for changes only; the sales
other channels shipped meanwhile when a Sale/ webhook was repaired).

Those sales are asked for from the earliest a missed delivery can date from, not from the
last pull (pulls do not fetch sales): one watchdog interval before this check (the last
found the webhook on) less the ≈76 minutes CIN7 retries a delivery before switching it off.
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
from tillsync.domain.drift import Difference
from tillsync.errors import ProviderError
from tillsync.jobs.scheduler import interval_slot
from tillsync.jobs.store import NewJob
from tillsync.jobs.worker import JobContext
from tillsync.services.cin7.connection import (
    PROVIDER,
    WEBHOOK_TYPES,
    client_for,
    credentials,
    load_connection,
    registration_row,
    webhook_url,
)
from tillsync.services.context import Services
from tillsync.services.notifications import notify
from tillsync.services.sync import drift, pulls
from tillsync.store.tables import Connection, WebhookRegistration

WATCHDOG_KIND = "cin7.webhook_watchdog"
DEFAULT_MINUTES = 15.0
PRIORITY = 100
STOCK_TYPE = "Stock/AvailableStockLevelChanged"
SALE_PREFIX = "Sale/"
RETRY_SPAN = dt.timedelta(minutes=90)
"""How long CIN7 retries a delivery before switching its webhook off (≈76 min), with a margin."""
FOUND = {
    "inactive": "CIN7 switched off",
    "missing": "CIN7 no longer has",
    "stale": "CIN7 holds another token for",
}


@dataclass(frozen=True, slots=True)
class Repair:
    event_type: str
    found: str
    """What was wrong: inactive, missing or stale (another token)."""
    fixed: bool
    error: str | None = None


async def due_watchdogs(session: AsyncSession, now: dt.datetime) -> Sequence[NewJob]:
    """One watchdog per connected CIN7 connection and time slot."""
    connections = await session.scalars(
        select(Connection).where(Connection.provider == PROVIDER, Connection.status == "active")
    )
    jobs = []
    for connection in connections:
        if not connection.credentials:
            continue  # disconnected: nothing of ours is left at CIN7
        minutes = _minutes(connection)
        jobs.append(
            NewJob(
                kind=WATCHDOG_KIND,
                payload={},
                idempotency_key=f"{connection.id}:watchdog:{interval_slot(now, minutes)}",
                tenant_id=connection.tenant_id,
                connection_id=connection.id,
                priority=PRIORITY,
            )
        )
    return jobs


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
    options: dict[str, Any] = {"stock": "all"} if STOCK_TYPE in repaired else {}
    if any(event_type.startswith(SALE_PREFIX) for event_type in repaired):
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
    return float(connection.settings.get("webhook_watchdog_minutes", DEFAULT_MINUTES))


async def check_webhooks(
    services: Services,
    connection: Connection,
    *,
    lane: str,
    event_key: str,
    run_id: str | None = None,
    ctx: JobContext | None = None,
) -> list[Repair]:
    """Compare our webhooks at CIN7 with what they must be and repair each that differs.

    `event_key` makes each repair's notification unique to this check; with `run_id` the
    repairs are also written to that reconciliation's drift report.
    """
    client = client_for(services, connection, lane=lane)
    url = webhook_url(services, connection.id)
    token = credentials(services, connection).webhook_secret
    hooks = [hook for hook in await client.list_webhooks() if hook.get("ExternalURL") == url]
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
    for event_type in WEBHOOK_TYPES:
        same = [hook for hook in hooks if hook.get("Type") == event_type]
        hook = next((h for h in same if str(h.get("ID")) == known.get(event_type)), None)
        hook = hook or next((h for h in same if h.get("IsActive") is True), None)
        hook = hook or (same[0] if same else None)
        found = _fault(hook, token)
        if found is None:
            assert hook is not None
            await _settle(services, connection, event_type, str(hook.get("ID")), None)
            continue
        body = {
            "Type": event_type,
            "IsActive": True,
            "ExternalURL": url,
            "ExternalAuthorizationType": "bearerauth",
            "ExternalBearerToken": token,
        }
        external_id = str(hook.get("ID")) if hook is not None else None
        try:
            if hook is not None:
                answer = await client.update_webhook({**body, "ID": hook.get("ID")})
            else:
                answer = await client.create_webhook(body)
            external_id = str(answer[0].get("ID")) if answer else external_id
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


def _fault(hook: dict[str, Any] | None, token: str) -> str | None:
    if hook is None:
        return "missing"
    if hook.get("IsActive") is not True:
        return "inactive"
    if hook.get("ExternalBearerToken") not in (None, "", token):
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
            await notify(
                session,
                tenant_id=connection.tenant_id,
                connection_id=connection.id,
                kind="webhook",
                severity="warning",
                title=f"{FOUND[repair.found]} the {event_type} webhook",
                message=(
                    f"{FOUND[repair.found]} tillsync's {event_type} webhook (CIN7 switches a "
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
