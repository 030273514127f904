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

    begin: str | None = None
    """The BEGIN of a transaction, run in the thread with its first statement: one trip
    fewer per transaction. Begun and ended without a statement, it never runs."""

    async def close(self) -> None:
        with contextlib.suppress(sqlite3.Error, ValueError):  # ValueError: closed already
            await self.rollback()
        await super().close()

    async def commit(self) -> None:
        self.begin = None
        await super().commit()

    async def rollback(self) -> None:
        """Only with a transaction open: the pool asks for one after every commit, and a
        writer's connection goes back to the pool before the writer hands its turn on."""
        self.begin = None
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
    write lock through all of them. The first `FIRST_ROWS` rows come with the statement;
    a longer result (a streamed read of every stock row) stays open in the thread and is
    read on as asked, so it is never held whole in memory.
    """

    arraysize = 1

    def __init__(self, connection: _Connection) -> None:
        self._connection = connection
        self._rows: deque[Any] = deque()
        self._open: sqlite3.Cursor | None = None
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
        await self.close()
        connection = self._connection
        begin, connection.begin = connection.begin, None
        try:
            done = await self._in_thread(
                _statement, connection._conn, begin, method, sql, parameters
            )
        except BaseException:
            if begin is not None and not connection.in_transaction:
                connection.begin = begin  # not begun (a busy writer): the next statement does
            raise
        self.description, rows, self.rowcount, self.lastrowid, self._open = done
        self._rows = deque(rows)
        return self

    async def _in_thread(self, function: Callable[..., Any], *arguments: Any) -> Any:
        # aiosqlite's own way onto its thread (its methods all go through it), left untyped
        in_thread: Callable[..., Awaitable[Any]] = self._connection._execute
        return await in_thread(function, *arguments)

    async def _read_on(self, count: int | None) -> None:
        """Up to `count` more rows (all with None) from a result left open."""
        if self._open is not None:
            rows, self._open = await self._in_thread(_more, self._open, count)
            self._rows.extend(rows)

    async def fetchone(self) -> Any:
        if not self._rows:
            await self._read_on(FIRST_ROWS)
        return self._rows.popleft() if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        wanted = size or self.arraysize
        if len(self._rows) < wanted:
            await self._read_on(max(wanted - len(self._rows), FIRST_ROWS))
        count = min(wanted, len(self._rows))
        return [self._rows.popleft() for _ in range(count)]

    async def fetchall(self) -> list[Any]:
        await self._read_on(None)
        rows = list(self._rows)
        self._rows.clear()
        return rows

    async def close(self) -> None:
        self._rows.clear()
        if self._open is not None:
            cursor, self._open = self._open, None
            await self._in_thread(cursor.close)


FIRST_ROWS = 2000
"""Rows read with their statement; a longer result is read on in steps of this many."""


def _statement(
    connection: sqlite3.Connection, begin: str | None, method: str, sql: str, parameters: Any
) -> tuple[Any, list[Any], int, int | None, sqlite3.Cursor | None]:
    """Run in the connection's thread: the transaction's BEGIN if it is the first, the
    statement, its first rows, its counts, and the cursor itself while rows may remain."""
    if begin is not None:
        connection.execute(begin)
    cursor = connection.cursor()
    try:
        getattr(cursor, method)(sql, parameters)
        rows = cursor.fetchmany(FIRST_ROWS) if cursor.description else []
    except BaseException:
        cursor.close()
        raise
    if len(rows) < FIRST_ROWS:
        cursor.close()
        return cursor.description, rows, cursor.rowcount, cursor.lastrowid, None
    return cursor.description, rows, cursor.rowcount, cursor.lastrowid, cursor


def _more(cursor: sqlite3.Cursor, count: int | None) -> tuple[list[Any], sqlite3.Cursor | None]:
    """Run in the connection's thread: more rows of an open result; the cursor if any remain."""
    rows = cursor.fetchall() if count is None else cursor.fetchmany(count)
    if count is None or len(rows) < count:
        cursor.close()
        return rows, None
    return rows, cursor


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
        own: _Connection = connection.connection.dbapi_connection._connection
        own.begin = "BEGIN" if read_only else "BEGIN IMMEDIATE"

    return engine
