"""The migrations build exactly the tables the code declares."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from tillsync.bootstrap import Hub
from tillsync.store.tables import Base


async def test_migrations_match_the_tables(hub: Hub) -> None:
    async with hub.services.uows.database.engine.connect() as connection:
        diff = await connection.run_sync(
            lambda sync: compare_metadata(
                MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata
            )
        )
    assert diff == []
