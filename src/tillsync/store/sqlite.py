"""The SQLite engine: WAL, a busy timeout, BEGIN IMMEDIATE, and no write lock left behind."""

from __future__ import annotations

import contextlib
import sqlite3
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
