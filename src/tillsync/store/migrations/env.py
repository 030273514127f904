"""Alembic environment: runs on the connection tillsync hands over (see store/migrate.py)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection

from tillsync.store.tables import Base

MIGRATION_LOCK = 7_243_001


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Several processes may start at once: one migrates, the others wait and find it done.
            connection.execute(text(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
        context.run_migrations()


run(context.config.attributes["connection"])
