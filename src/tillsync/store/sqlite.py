"""The SQLite engine: WAL, a busy timeout, BEGIN IMMEDIATE, and no write lock left behind."""

from __future__ import annotations

import contextlib
import sqlite3
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import aiosqlite
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

BUSY_SECONDS = 30.0
READ_ONLY = "tillsync_read_only"


class _Connection(aiosqlite.Connection):
    """Rolls back before it closes.

    A task cancelled in the middle of a statement (a shutdown, a lost lease) makes the
    engine throw its connection away. Closing a sqlite3 connection whose statements are
    not finalized only defers the close, and the open transaction kept the database's
    write lock until garbage collection: every other writer waited out the busy timeout.
    """

    async def close(self) -> None:
        with contextlib.suppress(sqlite3.Error, ValueError):  # ValueError: closed already
            await self.rollback()
        await super().close()

    async def rollback(self) -> None:
        """Only with a transaction open: the pool asks for one after every commit, and a
        writer's connection goes back to the pool before the writer hands its turn on."""
        if self._connection is not None and not self._connection.in_transaction:
            return
        await super().rollback()

    def cursor(self) -> OneTripCursor:  # type: ignore[override]
        return OneTripCursor(self)


class OneTripCursor:
    """A cursor whose statement, rows and closing take one trip to the connection's thread.

    aiosqlite's own cursor takes four (made, executed, rows fetched, closed), each handed
    from the event loop to the connection's thread and back; those hand-overs, not SQLite,
    were most of a short statement's time, and a write transaction holds SQLite's one
    write lock through all of them. The rows are read with the statement: SQLAlchemy reads
    them all at once anyway.
    """

    arraysize = 1

    def __init__(self, connection: _Connection) -> None:
        self._connection = connection
        self._rows: deque[Any] = deque()
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None

    async def __aenter__(self) -> OneTripCursor:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> OneTripCursor:
        return await self._run("execute", sql, parameters)

    async def executemany(self, sql: str, parameters: Sequence[Any]) -> OneTripCursor:
        return await self._run("executemany", sql, parameters)

    async def _run(self, method: str, sql: str, parameters: Any) -> OneTripCursor:
        connection = self._connection
        # aiosqlite's own way onto its thread (its methods all go through it), left untyped
        in_thread: Callable[..., Awaitable[Any]] = connection._execute
        done = await in_thread(_statement, connection._conn, method, sql, parameters)
        self.description, rows, self.rowcount, self.lastrowid = done
        self._rows = deque(rows)
        return self

    async def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        count = min(size or self.arraysize, len(self._rows))
        return [self._rows.popleft() for _ in range(count)]

    async def fetchall(self) -> list[Any]:
        rows = list(self._rows)
        self._rows.clear()
        return rows

    async def close(self) -> None:
        self._rows.clear()


def _statement(
    connection: sqlite3.Connection, method: str, sql: str, parameters: Any
) -> tuple[Any, list[Any], int, int | None]:
    """Run in the connection's thread: the statement, all its rows, its counts."""
    cursor = connection.cursor()
    try:
        getattr(cursor, method)(sql, parameters)
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


def sqlite_engine(url: str) -> AsyncEngine:
    """pysqlite's own transaction handling is switched off so that a write transaction
    starts with the write lock: two writers then queue on the busy timeout instead of one
    of them failing with "database is locked" when it upgrades a read lock.
    """
    database = make_url(url).database or ":memory:"
    if database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)

    async def connect() -> aiosqlite.Connection:
        connection = _Connection(
            partial(sqlite3.connect, database, timeout=BUSY_SECONDS, isolation_level=None),
            iter_chunk_size=64,
        )
        # As SQLAlchemy does for the connections it makes: a connection the pool lost
        # must not keep the process alive at exit.
        connection._thread.daemon = True
        return await connection

    engine = create_async_engine(url, async_creator=connect)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(BUSY_SECONDS * 1000)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine
