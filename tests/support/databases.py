"""Fresh databases for a test run: a SQLite file per test, one PostgreSQL database per run."""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import uuid
from pathlib import Path

import asyncpg

from tillsync.store.database import create_database
from tillsync.store.migrate import upgrade
from tillsync.store.tables import Base

ADMIN_URL = os.environ.get(
    "TILLSYNC_TEST_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


async def create_postgres_database(*, migrated: bool = True) -> str:
    """Create an empty database, migrated unless asked not to; return its URL."""
    name = f"tillsync_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(ADMIN_URL)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    if not migrated:
        return url
    database = create_database(url.replace("postgresql://", "postgresql+asyncpg://"))
    try:
        await upgrade(database)
    finally:
        await database.dispose()
    return url


async def drop_postgres_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(ADMIN_URL)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def migrated_sqlite_file(path: Path) -> Path:
    """A SQLite file at `path` migrated to head, complete in itself (no WAL beside it).

    Tests copy it instead of each running the migrations on a new file.
    """
    asyncio.run(_migrate(f"sqlite+aiosqlite:///{path}"))
    with sqlite3.connect(path) as connection:  # everything into the main file
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


async def _migrate(url: str) -> None:
    database = create_database(url)
    try:
        await upgrade(database)
    finally:
        await database.dispose()


def copy_sqlite_file(template: Path, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, path)


_EMPTYING: dict[str, str] = {}


async def empty_postgres_database(url: str) -> None:
    """Remove every row (keeping the schema) so each test starts from nothing.

    The same end as `TRUNCATE ... RESTART IDENTITY CASCADE` on every table: DELETE, child
    tables first, then the tables' own sequences restarted. On tables of a few rows this is
    many times faster than TRUNCATE, which makes new files for every table and index.
    """
    connection = await asyncpg.connect(url)
    try:
        if url not in _EMPTYING:
            _EMPTYING[url] = await _emptying_script(connection)
        await connection.execute(_EMPTYING[url])
    finally:
        await connection.close()


async def _emptying_script(connection: asyncpg.Connection) -> str:
    tables = [table.name for table in Base.metadata.sorted_tables]
    sequences = await connection.fetch(
        """
        SELECT DISTINCT sequence.relname AS name
        FROM pg_class sequence
        JOIN pg_depend owner ON owner.objid = sequence.oid AND owner.deptype IN ('a', 'i')
        JOIN pg_class owning ON owner.refobjid = owning.oid
        WHERE sequence.relkind = 'S' AND owning.relname = ANY($1::text[])
        ORDER BY name
        """,
        tables,
    )
    # Names from the code's own tables and the catalog, never from outside.
    statements = [f'DELETE FROM "{name}";' for name in reversed(tables)]  # noqa: S608
    statements += [f'ALTER SEQUENCE "{row["name"]}" RESTART;' for row in sequences]
    return "BEGIN;\n" + "\n".join(statements) + "\nCOMMIT;"
