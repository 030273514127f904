"""Records read for the app: one entity of the tenant's connection to a provider, searched and
paged, or one record by the provider's id. Removed records are shown with their time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from tillsync.errors import NotFound
from tillsync.services.context import Services
from tillsync.services.record_sync import check_entity
from tillsync.store.tables import Connection, Record


@dataclass(frozen=True, slots=True)
class StoredRecord:
    entity: str
    external_id: str
    name: str
    data: Mapping[str, Any]
    remote_updated_at: dt.datetime | None
    deleted_at: dt.datetime | None
    synced_at: dt.datetime


@dataclass(frozen=True, slots=True)
class RecordPage:
    records: list[StoredRecord]
    total: int
    limit: int
    offset: int


async def records_page(
    services: Services,
    tenant_id: str,
    *,
    provider: str,
    entity: str,
    search: str | None = None,
    removed: bool | None = False,
    limit: int = 50,
    offset: int = 0,
) -> RecordPage:
    """`removed`: False (the default) only live records, True only removed ones, None both."""
    declared = services.providers.get(provider)
    check_entity(declared, entity)
    filters: list[ColumnElement[bool]] = [
        Record.tenant_id == tenant_id,
        Record.entity == entity,
        Record.connection_id.in_(
            select(Connection.id).where(
                Connection.tenant_id == tenant_id, Connection.provider == declared.name
            )
        ),
    ]
    if search:
        filters.append(
            or_(
                func.lower(Record.name).contains(search.lower(), autoescape=True),
                Record.external_id == search,
            )
        )
    if removed is not None:
        filters.append(Record.deleted_at.is_not(None) if removed else Record.deleted_at.is_(None))
    async with services.uows.read() as session:
        total = await session.scalar(select(func.count()).select_from(Record).where(*filters))
        rows = await session.scalars(
            select(Record)
            .where(*filters)
            .order_by(func.lower(Record.name), Record.external_id)
            .limit(limit)
            .offset(offset)
        )
        return RecordPage([_stored(row) for row in rows], total or 0, limit, offset)


async def record_of(
    services: Services, tenant_id: str, *, provider: str, entity: str, external_id: str
) -> StoredRecord:
    declared = services.providers.get(provider)
    check_entity(declared, entity)
    async with services.uows.read() as session:
        row = await session.scalar(
            select(Record)
            .join(Connection, Connection.id == Record.connection_id)
            .where(
                Record.tenant_id == tenant_id,
                Connection.provider == declared.name,
                Record.entity == entity,
                Record.external_id == external_id,
            )
        )
    if row is None:
        raise NotFound(f"no {entity} record {external_id}", field="external_id")
    return _stored(row)


def _stored(row: Record) -> StoredRecord:
    return StoredRecord(
        entity=row.entity,
        external_id=row.external_id,
        name=row.name,
        data=row.data,
        remote_updated_at=row.remote_updated_at,
        deleted_at=row.deleted_at,
        synced_at=row.synced_at,
    )
