"""Records written: a batch of provider objects upserted by their id, unchanged ones skipped,
removals marked (never deleted), and what happened counted.

Provider-neutral: any provider's connector lists `RemoteRecord`s of its entities, and a sync
or a webhook hands them here inside the caller's unit of work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update

from tillsync.domain.records import RecordCounts, RemoteRecord, canonical, content_hash
from tillsync.store.database import chunks, insert_all_returning_new
from tillsync.store.tables import Connection, Record, new_id
from tillsync.store.uow import UnitOfWork

NAME_LENGTH = 300


async def upsert_records(
    uow: UnitOfWork,
    connection: Connection,
    entity: str,
    rows: Sequence[RemoteRecord],
    *,
    complete: bool,
    read_at: dt.datetime,
) -> RecordCounts:
    """Write `rows` of `entity`, read from the provider at `read_at`; `complete`: they are the
    whole listing, so a stored record absent from them is marked removed. A record whose
    content hash is unchanged is not rewritten (only its `synced_at` moves).

    `synced_at` is when a record's data was read from the provider, so a record read later
    than these rows (a webhook's fetch while a long listing was under way) is kept: rows
    read earlier never put older data back, nor mark removed what was read since.
    """
    latest = {row.external_id: row for row in rows}  # a listing that repeats an id: last wins
    stored = await _stored(uow, connection, entity, None if complete else list(latest))
    newer = {key for key, record in stored.items() if record.synced_at > read_at}
    stored = {key: record for key, record in stored.items() if key not in newer}
    new: list[dict[str, Any]] = []
    seen: list[str] = []
    created = updated = unchanged = removed = 0
    for external_id, row in latest.items():
        digest = content_hash(row.data, name=row.name, deleted=row.deleted)
        record = stored.get(external_id)
        if record is None:
            if external_id in newer:
                unchanged += 1
                continue
            new.append(_values(connection, entity, row, digest, read_at))
        elif record.content_hash == digest:
            unchanged += 1
            seen.append(record.id)
        else:
            was_removed = record.deleted_at is not None
            _apply(record, row, digest, read_at)
            if row.deleted and not was_removed:
                removed += 1
            else:
                updated += 1
    if complete:
        for external_id, record in stored.items():
            if external_id not in latest and record.deleted_at is None:
                record.deleted_at, record.synced_at = read_at, read_at
                removed += 1
    for batch in chunks(seen):
        await uow.session.execute(
            update(Record)
            .where(Record.id.in_(batch))
            .values(synced_at=read_at)
            .execution_options(synchronize_session=False)
        )
    if new:
        made = await insert_all_returning_new(uow.session, Record, new)
        created = len(made)
        unchanged += len(new) - created  # another writer stored them a moment ago
    await uow.session.flush()
    return RecordCounts(created, updated, unchanged, removed)


async def mark_removed(
    uow: UnitOfWork, connection: Connection, entity: str, external_id: str, *, read_at: dt.datetime
) -> RecordCounts:
    """The provider says, at `read_at`, the object is gone: its record stays, marked removed
    (unless it was read again since)."""
    record = await uow.session.scalar(
        select(Record).where(
            Record.connection_id == connection.id,
            Record.entity == entity,
            Record.external_id == external_id,
        )
    )
    if record is None or record.deleted_at is not None or record.synced_at > read_at:
        return RecordCounts(unchanged=1 if record is not None else 0)
    record.deleted_at, record.synced_at = read_at, read_at
    record.content_hash = content_hash(record.data, name=record.name, deleted=True)
    await uow.session.flush()
    return RecordCounts(removed=1)


async def _stored(
    uow: UnitOfWork, connection: Connection, entity: str, external_ids: list[str] | None
) -> dict[str, Record]:
    query = select(Record).where(Record.connection_id == connection.id, Record.entity == entity)
    if external_ids is None:
        return {record.external_id: record for record in await uow.session.scalars(query)}
    found: dict[str, Record] = {}
    for batch in chunks(external_ids):
        for record in await uow.session.scalars(query.where(Record.external_id.in_(batch))):
            found[record.external_id] = record
    return found


def _values(
    connection: Connection, entity: str, row: RemoteRecord, digest: str, now: dt.datetime
) -> dict[str, Any]:
    return {
        "id": new_id(),
        "tenant_id": connection.tenant_id,
        "connection_id": connection.id,
        "entity": entity,
        "external_id": row.external_id,
        "name": row.name[:NAME_LENGTH],
        "data": dict(canonical(row.data)),
        "content_hash": digest,
        "remote_updated_at": row.updated_at,
        "deleted_at": now if row.deleted else None,
        "synced_at": now,
        "created_at": now,
    }


def _apply(record: Record, row: RemoteRecord, digest: str, now: dt.datetime) -> None:
    record.name = row.name[:NAME_LENGTH]
    record.data = dict(canonical(row.data))
    record.content_hash = digest
    record.remote_updated_at = row.updated_at
    record.synced_at = now
    if not row.deleted:
        record.deleted_at = None  # listed again: the provider brought it back
    elif record.deleted_at is None:
        record.deleted_at = now
