"""Which database a command uses: a sandbox's, found by its folder, or the settings' own.

A command that reads (jobs, tenants' keys, a pull) never makes a database: pointed at
nothing, it says where it looked and stops, instead of reporting an empty new one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from tillsync.cli_common import (
    SANDBOX_DIR,
    STATE_DIR_ENV,
    command_logging,
    fail,
    notes,
)
from tillsync.config import Settings
from tillsync.errors import ConfigurationError

if TYPE_CHECKING:
    from tillsync.store.uow import UnitsOfWork

EXIT_CONFIGURATION = 2
T = TypeVar("T")


def on_hub(settings: Settings, use: Callable[[UnitsOfWork], Awaitable[T]]) -> T:
    """Open the hub, do `use` with its units of work, close it; what a caller got wrong
    (an unknown id) ends the command with its message."""
    from tillsync.bootstrap import open_hub
    from tillsync.errors import ClientError

    async def main() -> T:
        async with open_hub(settings) as hub:
            return await use(hub.uows)

    try:
        return asyncio.run(main())
    except ClientError as exc:
        fail(exc.message)


def command_settings(
    state_dir: Path | None, *, verbose: bool, existing: bool = True, **overrides: object
) -> Settings:
    """The settings of a one-shot command, its database named on stderr.

    `existing`: the command reads, so the database must be there already.
    """
    command_logging(verbose=verbose)
    settings = plain_settings(state_dir, **overrides)
    announce_database(settings, state_dir, existing=existing)
    return settings


def service_settings(state_dir: Path | None, **overrides: object) -> Settings:
    """The settings of a long-running process (serve, worker): it logs as configured."""
    from tillsync.logs import configure_logging

    settings = plain_settings(state_dir, **overrides)
    announce_database(settings, state_dir, existing=False)
    configure_logging(level=settings.log_level, fmt=settings.log_format)
    return settings


def plain_settings(state_dir: Path | None = None, **overrides: object) -> Settings:
    """The settings, with a sandbox's database when `state_dir` is given; stops on a bad key."""
    from tillsync.sandbox.manifest import read_store
    from tillsync.vault import check_keys

    given = {name: value for name, value in overrides.items() if value is not None}
    try:
        if state_dir is not None:
            store = read_store(state_dir)
            given |= {"database_url": store.database_url, "data_dir": store.data_dir}
        settings = Settings(**given)  # type: ignore[arg-type]
        check_keys(keys=settings.secret_keys, production=settings.environment == "production")
    except ConfigurationError as exc:
        fail(f"tillsync cannot start: {exc}", code=EXIT_CONFIGURATION)
    return settings


def announce_database(settings: Settings, state_dir: Path | None, *, existing: bool) -> None:
    """Say on stderr which database the command uses; stop if it must exist and does not."""
    from tillsync.store.database import shown_url

    shown = shown_url(settings.resolved_database_url)
    found = _has_tables(settings)
    if existing and not found:
        fail(_nothing_there(shown, state_dir), code=EXIT_CONFIGURATION)
    where = f" (the sandbox in {state_dir})" if state_dir is not None else ""
    notes.print(
        f"database {shown}{where}{'' if found else ' (new)'}",
        style="dim",
        markup=False,
        soft_wrap=True,
    )


def _has_tables(settings: Settings) -> bool:
    """Whether the database exists and was migrated; a SQLite file is not made to find out."""
    url = make_url(settings.resolved_database_url)
    if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).exists():
        return False
    return asyncio.run(_migrated(settings))


async def _migrated(settings: Settings) -> bool:
    from tillsync.store.database import create_database
    from tillsync.store.migrate import is_migrated

    database = create_database(settings.resolved_database_url)
    try:
        return await is_migrated(database)
    except (OSError, SQLAlchemyError) as exc:
        from tillsync.store.database import shown_url

        shown = shown_url(settings.resolved_database_url)
        fail(
            f"tillsync cannot open the database {shown}: {type(exc).__name__}",
            code=EXIT_CONFIGURATION,
        )
    finally:
        await database.dispose()


def _nothing_there(shown: str, state_dir: Path | None) -> str:
    from tillsync.sandbox.manifest import manifest_path

    if state_dir is not None:
        return f"The sandbox in {state_dir} has no database at {shown} any more."
    hint = (
        f"A sandbox is in {SANDBOX_DIR}: add --state-dir {SANDBOX_DIR} (or set {STATE_DIR_ENV})."
        if manifest_path(SANDBOX_DIR).exists()
        else "Set TILLSYNC_DATABASE_URL to the hub's database, or --state-dir to a sandbox's "
        "folder; `tillsync serve` or `tillsync tenant create` starts a new database."
    )
    return f"No tillsync database at {shown}: nothing to read.\n{hint}"
