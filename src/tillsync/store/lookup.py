"""Finding one row by the start of its id, as operators type ids the CLI printed short."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from tillsync.errors import Conflict, NotFound

Row = TypeVar("Row")


async def one_by_id_prefix(
    session: AsyncSession,
    table: type[Row],
    column: InstrumentedAttribute[str],
    prefix: str,
    *,
    noun: str,
    field: str,
) -> Row:
    """The one row whose `column` starts with `prefix` (the whole id will do too)."""
    wanted = prefix.strip()
    if not wanted:
        raise NotFound(f"no {noun} id given", field=field)
    found = list(
        await session.scalars(
            select(table).where(column.startswith(wanted, autoescape=True)).limit(2)
        )
    )
    if not found:
        raise NotFound(f"no {noun} {wanted}", field=field)
    if len(found) > 1:
        raise Conflict(f"'{wanted}' starts more than one {noun} id: give more of it", field=field)
    return found[0]
