"""What a records panel shows for each connection whose provider keeps records: each entity's
freshness and latest outcome, syncs under way, recent syncs with their errors, the latest
webhooks, the entities no webhook keeps fresh, and a token that lapses within a month."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.connectors.contract import Provider
from tillsync.services.connections.links import DISCONNECTED
from tillsync.services.context import Services
from tillsync.services.record_freshness import Freshness, freshness_of
from tillsync.services.record_sync import last_record_syncs
from tillsync.store.tables import Connection, InboxEntry, Run

TOKEN_WARNING = dt.timedelta(days=30)
RECENT = 10


@dataclass(frozen=True, slots=True)
class EntityPanel:
    freshness: Freshness
    last_status: str | None
    hooked: bool


@dataclass(frozen=True, slots=True)
class RecordPanel:
    provider: Provider
    status: str
    account_name: str | None
    token_expires_at: dt.datetime | None
    token_lapses_soon: bool
    entities: list[EntityPanel]
    running: list[Run]
    recent: list[Run]
    hooks: list[InboxEntry]


def keepers(services: Services) -> list[Provider]:
    return [provider for provider in services.providers if provider.record_entities]


async def record_panels(
    services: Services, tenant_id: str, *, provider: str | None = None
) -> list[RecordPanel]:
    """The tenant's connected record keepers' panels (only `provider`'s, when given)."""
    wanted = [p for p in keepers(services) if provider is None or p.name == provider]
    now = services.uows.clock.now()
    panels: list[RecordPanel] = []
    async with services.uows.read() as session:
        for declared in wanted:
            connection = await session.scalar(
                select(Connection).where(
                    Connection.tenant_id == tenant_id,
                    Connection.provider == declared.name,
                    Connection.status != DISCONNECTED,
                )
            )
            if connection is not None:
                panels.append(await _panel(session, declared, connection, now))
    return panels


async def _panel(
    session: AsyncSession, declared: Provider, connection: Connection, now: dt.datetime
) -> RecordPanel:
    last = await last_record_syncs(session, connection, declared)
    runs = list(
        await session.scalars(
            select(Run)
            .where(
                Run.connection_id == connection.id,
                Run.entity.in_(declared.record_entities),
                Run.type != "webhook",
            )
            .order_by(Run.started_at.desc(), Run.id)
            .limit(50)
        )
    )
    latest: dict[str, str] = {}
    for run in runs:
        if run.status not in ("queued", "running"):
            latest.setdefault(run.entity, run.status)
    hooks = await session.scalars(
        select(InboxEntry)
        .where(InboxEntry.connection_id == connection.id)
        .order_by(InboxEntry.received_at.desc(), InboxEntry.id)
        .limit(RECENT)
    )
    expires = connection.token_expires_at
    return RecordPanel(
        provider=declared,
        status=connection.status,
        account_name=connection.account_name,
        token_expires_at=expires,
        token_lapses_soon=expires is not None and expires - now <= TOKEN_WARNING,
        entities=[
            EntityPanel(
                freshness_of(entity, last.get(entity), now),
                latest.get(entity),
                entity not in declared.unhooked_entities,
            )
            for entity in declared.record_entities
        ],
        running=[run for run in runs if run.status in ("queued", "running")],
        recent=[run for run in runs if run.status not in ("queued", "running")][:RECENT],
        hooks=list(hooks),
    )
