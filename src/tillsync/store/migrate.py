"""Applies the Alembic migrations at start, on the hub's own engine."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from tillsync.store.database import Database

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


@cache
def head_revisions() -> frozenset[str]:
    """The revisions a fully migrated database is at (read from the scripts once)."""
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def is_at_head(connection: Connection) -> bool:
    current = MigrationContext.configure(connection).get_current_heads()
    return frozenset(current) == head_revisions()


def _upgrade(connection: Connection) -> None:
    # A database at head needs nothing: skip loading the environment and every script.
    # Any other database (empty, behind, or unknown to these scripts) goes to Alembic.
    if not is_at_head(connection):
        command.upgrade(alembic_config(connection), "head")


async def upgrade(database: Database) -> None:
    async with database.engine.begin() as connection:
        await connection.run_sync(_upgrade)


async def is_migrated(database: Database) -> bool:
    """Whether tillsync's migrations ever ran there: an empty database has no revision."""

    def migrated(connection: Connection) -> bool:
        return bool(MigrationContext.configure(connection).get_current_heads())

    async with database.engine.connect() as connection:
        return await connection.run_sync(migrated)
