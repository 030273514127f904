"""Write a new Alembic revision from the difference between the tables and the migrations.

Usage: python scripts/new_migration.py "what changed" REVISION_ID
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from alembic import command

from tillsync.store.database import create_database
from tillsync.store.migrate import alembic_config, upgrade


async def main(message: str, revision: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = create_database(f"sqlite+aiosqlite:///{Path(folder) / 'scratch.db'}")
        await upgrade(database)
        async with database.engine.begin() as connection:
            await connection.run_sync(
                lambda sync: command.revision(
                    alembic_config(sync), message=message, autogenerate=True, rev_id=revision
                )
            )
        await database.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
