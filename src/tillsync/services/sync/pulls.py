"""Asking for a pull from a warehouse (full, quick or reconciliation) and following it.

A pull is one `<provider>.sync_catalog` job whose `subject` names its mode. A request queues the
job and its run together, so the caller has a run id to follow at once; while a pull of
the same mode is queued or running for the tenant, another request is refused with that
run's id. Two requests racing each other both key their job on the latest pull of that
mode (`<connection>:<mode>:after:<job>`): the job store's unique key lets one win.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.errors import NotFound
from tillsync.providers import Providers
from tillsync.services.connections.roles import plays
from tillsync.services.context import Services
from tillsync.services.sync_turns import SyncInProgress, SyncTurn, queue_turn
from tillsync.store.tables import Connection, Job, Run
from tillsync.store.uow import UnitOfWork

MODES = ("full", "quick", "reconcile")
PRIORITIES = {"full": 200, "quick": 140, "reconcile": 210}
"""A quick pull is a few calls: the normal lane. Full pulls are backfills: the bulk lane."""
ENTITIES = {"full": "catalog", "quick": "catalog", "reconcile": "reconciliation"}


class PullInProgress(SyncInProgress):
    def __init__(self, mode: str, *, run_id: str | None, job_id: str) -> None:
        what = "a reconciliation" if mode == "reconcile" else f"a {mode} sync"
        message = f"{what} is already queued or running for this tenant"
        super().__init__(message, field="runId", run_id=run_id, job_id=job_id)


@dataclass(frozen=True, slots=True)
class Queued:
    run_id: str
    job_id: str
    mode: str


def sync_kind(provider: str) -> str:
    """The job kind of a pull from this provider's warehouse."""
    return f"{provider}.sync_catalog"


def warehouses(providers: Providers) -> list[str]:
    """The names of the providers that can play the warehouse role: those a pull may read
    from (a connection of theirs pulls only if it plays the role)."""
    return [provider.name for provider in providers.with_role("warehouse")]


def of_mode(mode: str) -> Any:
    """Jobs of this mode; jobs queued before modes existed are full pulls."""
    if mode == "full":
        return or_(Job.subject == mode, Job.subject.is_(None))
    return Job.subject == mode


async def warehouse_connection(
    session: AsyncSession, providers: Providers, tenant_id: str, *, provider: str | None = None
) -> Connection:
    """The tenant's connection in the warehouse role (to `provider` if named), with its keys."""
    names = [provider] if provider else warehouses(providers)
    found = await session.scalars(
        select(Connection)
        .where(Connection.tenant_id == tenant_id, Connection.provider.in_(names))
        .order_by(Connection.created_at)
    )
    connection = next(iter(found), None)
    title = providers.get(names[0]).title if len(names) == 1 else "No warehouse"
    if connection is None or not connection.credentials:
        raise NotFound(f"{title} is not connected for this tenant", field="connection")
    if not plays(connection, "warehouse"):
        raise NotFound(f"{title} is not this tenant's stock source", field="connection")
    return connection


async def request_pull(
    services: Services,
    *,
    tenant_id: str,
    mode: str,
    run_type: str = "manual",
    provider: str | None = None,
) -> Queued:
    """Queue a pull of `mode` for the tenant, or raise `PullInProgress` naming the one that is."""
    async with services.uows.begin() as uow:
        connection = await warehouse_connection(
            uow.session, services.providers, tenant_id, provider=provider
        )
        queued = await queue_pull(uow, connection, mode=mode, run_type=run_type)
        await uow.commit()
    return queued


async def queue_pull(
    uow: UnitOfWork,
    connection: Connection,
    *,
    mode: str,
    run_type: str,
    options: dict[str, Any] | None = None,
) -> Queued:
    """Inside the caller's transaction: the job and its queued run, or `PullInProgress`."""
    if mode not in MODES:
        raise ValueError(f"unknown pull mode {mode!r}")
    sync = SyncTurn(
        kind=sync_kind(connection.provider),
        mine=(Job.connection_id == connection.id, of_mode(mode)),
        turn=mode,
        subject=mode,
        priority=PRIORITIES[mode],
        payload={"mode": mode, **(options or {})},
        entity=ENTITIES[mode],
        details={"mode": mode},
    )

    def refuse(job: Job) -> PullInProgress:
        return PullInProgress(mode, run_id=run_of(job), job_id=job.id)

    run_id, job_id = await queue_turn(uow, connection, sync, run_type=run_type, refuse=refuse)
    return Queued(run_id=run_id, job_id=job_id, mode=mode)


def run_of(job: Job) -> str | None:
    """The run a pull job records: given when it was queued, or started by its first attempt."""
    run_id = (job.checkpoint or {}).get("run_id") or (job.payload or {}).get("run_id")
    return str(run_id) if run_id else None


async def last_pull_start(session: AsyncSession, connection_id: str) -> dt.datetime | None:
    """When the latest successful full, quick or reconciling pull began."""
    started: dt.datetime | None = await session.scalar(
        select(func.max(Run.started_at)).where(
            Run.connection_id == connection_id,
            Run.direction == "pull",
            Run.entity.in_(set(ENTITIES.values())),
            Run.status == "success",
        )
    )
    return started


async def only_tenant(session: AsyncSession, providers: Providers, provider: str) -> str:
    """The tenant of the one connection to `provider`, for commands run without `--tenant`."""
    tenants = list(
        await session.scalars(
            select(Connection.tenant_id)
            .where(Connection.provider == provider, Connection.credentials != "")
            .limit(2)
        )
    )
    if len(tenants) != 1:
        found = "no tenant has" if not tenants else "several tenants have"
        title = providers.get(provider).title
        raise NotFound(f"{found} {title} connected: name one with --tenant", field="tenant")
    return tenants[0]
