"""The migrations build exactly the tables the code declares, and carry rows forward."""

import datetime as dt

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from tillsync.bootstrap import Hub
from tillsync.services.tenants import create_tenant
from tillsync.store.migrate import alembic_config
from tillsync.store.tables import Base, Connection


async def test_migrations_match_the_tables(hub: Hub) -> None:
    async with hub.services.uows.database.engine.connect() as connection:
        diff = await connection.run_sync(
            lambda sync: compare_metadata(
                MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata
            )
        )
    assert diff == []


async def test_a_connection_made_before_roles_plays_the_role_it_was_made_in(hub: Hub) -> None:
    created = await create_tenant(hub.uows, name="Before roles")
    engine = hub.services.uows.database.engine
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.downgrade(alembic_config(sync), "0008"))
        await connection.execute(
            text(
                "INSERT INTO connections (id, tenant_id, provider, role, status, base_url, "
                "credentials, settings, error_count, created_at, updated_at) VALUES "
                "('c-1', :tenant, 'cin7', 'warehouse', 'active', 'http://x', '', '{}', 0, "
                ":now, :now)"
            ),
            {"tenant": created.tenant_id, "now": dt.datetime(2026, 11, 1, tzinfo=dt.UTC)},
        )
        await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), "head"))
    async with hub.uows.read() as session:
        stored = await session.get(Connection, "c-1")
    assert stored is not None
    assert stored.roles == ["warehouse"]
