"""Poster's suppliers, ingredients, storages and ingredient categories as records."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tillsync.connectors.poster.client import PosterClient
from tillsync.connectors.poster.mapping import ENTITIES, Entity, record_of
from tillsync.domain.records import Listing, RemoteRecord
from tillsync.errors import Permanent


class PosterRecords:
    """A `RecordSource`: each entity listed whole (Poster pages none of them)."""

    def __init__(self, client: PosterClient) -> None:
        self._client = client

    async def listing(self, entity: str) -> Listing:
        declared = _entity(entity)
        before = self._client.calls
        rows = await self._client.call(declared.listing)
        return Listing(_records(declared, rows), calls=self._client.calls - before)

    async def one(self, entity: str, external_id: str) -> RemoteRecord | None:
        declared = _entity(entity)
        if declared.getter is None:  # suppliers: no getter, so the list is read
            found = (await self.listing(entity)).rows
            return next((row for row in found if row.external_id == external_id), None)
        row = await self._client.call(declared.getter, **{declared.id_field: external_id})
        if row is None:
            return None
        if isinstance(row, list):  # a getter that answers a one-row list
            row = row[0] if row else None
        return None if row is None else _records(declared, [row])[0]


def _entity(name: str) -> Entity:
    try:
        return ENTITIES[name]
    except KeyError:
        raise Permanent(f"Poster keeps no {name}") from None


def _records(entity: Entity, rows: Any) -> list[RemoteRecord]:
    if not isinstance(rows, Sequence) or isinstance(rows, str):
        raise Permanent(f"Poster's {entity.listing} answered no list")
    try:
        return [record_of(entity, row) for row in rows if isinstance(row, dict)]
    except ValueError as exc:
        raise Permanent(f"Poster's {entity.name}: {exc}") from None
