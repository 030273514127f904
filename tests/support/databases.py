"""Fresh databases for a test run: a SQLite file per test, one PostgreSQL database per run."""

from __future__ import annotations

import os
import uuid

import asyncpg
from sqlalchemy import text

from tillsync.store.database import create_database
from tillsync.store.migrate import upgrade
from tillsync.store.tables import Base

ADMIN_URL = os.environ.get(
    "TILLSYNC_TEST_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


async def create_postgres_database() -> str:
    """Create an empty, migrated database; return its URL."""
    name = f"tillsync_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(ADMIN_URL)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
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


async def empty_postgres_database(url: str) -> None:
    """Remove every row (keeping the schema) so each test starts from nothing."""
    database = create_database(url.replace("postgresql://", "postgresql+asyncpg://"))
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    try:
        async with database.engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    finally:
        await database.dispose()
