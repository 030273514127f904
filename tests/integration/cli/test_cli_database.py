"""Which database a command uses: named on stderr, never made by a command that reads."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from typer.testing import CliRunner, Result

from tests.support import databases
from tillsync.cli import app
from tillsync.providers import default_providers

WAREHOUSE = default_providers().with_role("warehouse")[0].name
READING = [
    ["jobs", "list"],
    ["jobs", "retry", "0000"],
    ["tenant", "list"],
    ["tenant", "rotate-key", "0000"],
    ["tenant", "revoke-key", "0000"],
    ["sync", WAREHOUSE],
    ["keys", "rotate"],
]


def _run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def nothing_there(
    backend: str, cli_env: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, Path]]:
    """Settings that name a database that is not there: no SQLite file, or a PostgreSQL
    database without tables. Yields the URL and the working folder."""
    monkeypatch.chdir(cli_env)
    if backend == "sqlite":
        yield f"sqlite:///{cli_env / 'cli.db'}", cli_env
        return
    url = asyncio.run(databases.create_postgres_database(migrated=False))
    monkeypatch.setenv("TILLSYNC_DATABASE_URL", url)
    try:
        yield url, cli_env
    finally:
        asyncio.run(databases.drop_postgres_database(url))


async def _tables(url: str) -> int:
    connection = await asyncpg.connect(url)
    try:
        count: int = await connection.fetchval(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        )
        return count
    finally:
        await connection.close()


@pytest.mark.parametrize("command", READING, ids=" ".join)
def test_a_reading_command_refuses_a_missing_database_and_makes_none(
    nothing_there: tuple[str, Path], command: list[str]
) -> None:
    url, folder = nothing_there

    result = _run(*command)

    assert result.exit_code == 2, result.output
    assert "No tillsync database at" in result.stderr
    assert result.stdout == ""
    if url.startswith("sqlite"):
        assert sorted(p.name for p in folder.iterdir()) == []
    else:
        assert asyncio.run(_tables(url)) == 0
        assert "postgres://" not in result.stderr  # shown without its password, if it had one


def test_a_missing_sandbox_folder_is_named(cli_env: Path) -> None:
    result = _run("jobs", "list", "--state-dir", str(cli_env / "nowhere"))
    assert result.exit_code == 2
    assert f"no sandbox in {cli_env / 'nowhere'}" in result.stderr
    assert not (cli_env / "nowhere").exists()


def test_the_database_is_named_on_stderr_and_json_stays_clean(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TILLSYNC_SECRET_KEYS")  # a development key, as a newcomer has
    created = _run("tenant", "create", "Fade Factory")
    assert created.exit_code == 0, created.output
    assert f"database sqlite:///{cli_env / 'cli.db'} (new)" in created.stderr

    listed = _run("tenant", "list", "--json")

    assert listed.exit_code == 0, listed.output
    assert [t["name"] for t in json.loads(listed.stdout)] == ["Fade Factory"]
    assert listed.stderr == f"database sqlite:///{cli_env / 'cli.db'}\n"


def test_migrations_and_the_development_key_are_told_only_when_asked(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TILLSYNC_SECRET_KEYS")
    quiet = _run("tenant", "create", "Fade Factory")
    assert quiet.exit_code == 0, quiet.output
    assert "Running upgrade" not in quiet.output
    assert "DEVELOPMENT KEY" not in quiet.output

    monkeypatch.setenv("TILLSYNC_DATABASE_URL", f"sqlite:///{cli_env / 'second.db'}")
    told = _run("tenant", "create", "Taper Town", "--verbose")

    assert told.exit_code == 0, told.output
    assert "Running upgrade" in told.stderr
    assert "DEVELOPMENT KEY" in told.stderr
