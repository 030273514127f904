"""The engine for SQLite or PostgreSQL, and statements that read the same on both."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase

from tillsync.store.sqlite import sqlite_engine

CHUNK = 500
"""Keys per IN list: well inside every database's limit on bound parameters."""
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Database:
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    async def dispose(self) -> None:
        await self.engine.dispose()

    def file_missing(self) -> bool:
        """Whether a SQLite database's file is gone: connections open on it still answer,
        but nothing they write survives them."""
        path = self.engine.url.database
        if not self.is_sqlite or not path or path == ":memory:":
            return False
        return not Path(path).exists()


def create_database(url: str, *, pool_size: int = 10) -> Database:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = sqlite_engine(url)
    else:
        engine = create_async_engine(
            url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True
        )
    return Database(engine, async_sessionmaker(engine, expire_on_commit=False))


def shown_url(url: str) -> str:
    """A database URL as it may be shown: no password, no driver."""
    parsed = make_url(url)
    shown = parsed.set(drivername=parsed.get_backend_name())
    return str(shown.render_as_string(hide_password=True))


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """`items` in slices of `size`, for statements that take them as one IN list."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def insert_unless_present(
    session: AsyncSession, model: type[DeclarativeBase] | Table, values: dict[str, Any]
) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING in the session's own dialect."""
    return _insert(session, model).values(**values).on_conflict_do_nothing()


async def insert_all_unless_present(
    session: AsyncSession, model: type[DeclarativeBase] | Table, rows: list[dict[str, Any]]
) -> None:
    """Many rows at once (batched by the driver), skipping those whose key exists already."""
    if rows:
        await session.execute(_insert(session, model).on_conflict_do_nothing(), rows)


async def insert_all_returning_new(
    session: AsyncSession, model: type[DeclarativeBase], rows: list[dict[str, Any]]
) -> list[Any]:
    """As `insert_all_unless_present`, answering with the rows this call created."""
    if not rows:
        return []
    statement = _insert(session, model).on_conflict_do_nothing().returning(model)
    return list(await session.scalars(statement, rows))


async def add_all(
    session: AsyncSession,
    model: type[DeclarativeBase],
    rows: list[dict[str, Any]],
    summed: Sequence[str],
) -> None:
    """Insert rows, or where a row's key exists already, add the `summed` columns to it.

    The rows must have distinct keys (one statement may not change a row twice).
    """
    if not rows:
        return
    statement = _insert(session, model)
    table: Any = model.__table__
    totals = {name: table.c[name] + statement.excluded[name] for name in summed}
    key = [column.name for column in table.primary_key]
    await session.execute(statement.on_conflict_do_update(index_elements=key, set_=totals), rows)


def _insert(session: AsyncSession, model: type[DeclarativeBase] | Table) -> Any:
    dialect = session.get_bind().dialect.name
    return (sqlite.insert if dialect == "sqlite" else postgresql.insert)(model)
