"""Fixtures shared by the whole suite: settings and a hub on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.support import databases
from tests.support.secrets import REMEMBERED, LogCapture, leaks, secrets_of
from tillsync.bootstrap import Hub, open_hub
from tillsync.config import Settings

TEST_KEY = "yLR1Qc7j0m2P1yqk0lXx8g8w5pXlq2cUOX2x3lYw1aA"
BACKENDS = ("sqlite", "postgresql")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "long(seconds): takes about that long on this suite's machine; runs first"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Long tests first, each followed by a short one, longest-first scheduling for xdist.

    With `--maxschedchunk 2` every worker starts with one long test, and the next long one
    goes to the first worker that frees up: the run is not left waiting on a long test
    that happened to start last.
    """
    long = sorted(
        (item for item in items if item.get_closest_marker("long")),
        key=lambda item: -_seconds(item),
    )
    short = [item for item in items if not item.get_closest_marker("long")]
    interleaved: list[pytest.Item] = []
    for item in long:
        interleaved.append(item)
        if short:
            interleaved.append(short.pop(0))
    items[:] = interleaved + short


def _seconds(item: pytest.Item) -> float:
    marker = item.get_closest_marker("long")
    return float(marker.args[0]) if marker and marker.args else 0.0


@pytest.fixture(scope="session")
def log_capture() -> Iterator[LogCapture]:
    """Every log record of the run, at INFO and above as production writes them."""
    capture = LogCapture()
    capture.install()
    root = logging.getLogger()
    level = root.level
    root.setLevel(min(level, logging.INFO))
    try:
        yield capture
    finally:
        root.setLevel(level)
        capture.uninstall()


@pytest.fixture(autouse=True)
def no_credential_in_logs(
    request: pytest.FixtureRequest, log_capture: LogCapture
) -> Iterator[None]:
    """After every test: none of the credentials it used is in a log line it caused."""
    log_capture.clear()
    yield
    secrets = {TEST_KEY, *REMEMBERED}
    settings = request.node.funcargs.get("settings")
    if isinstance(settings, Settings):
        secrets |= set(settings.secret_keys)
        secrets |= secrets_of(settings.database_url, secrets)
    found = leaks(log_capture.lines(), secrets)
    log_capture.clear()
    assert not found, "credentials in log lines:\n" + "\n".join(found)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """One PostgreSQL database for the run, created fresh and dropped at the end."""
    url = asyncio.run(databases.create_postgres_database())
    try:
        yield url
    finally:
        asyncio.run(databases.drop_postgres_database(url))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per worker, copied for every test that needs one."""
    path = tmp_path_factory.mktemp("sqlite-template") / "tillsync.db"
    return databases.migrated_sqlite_file(path)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        path = tmp_path / "tillsync.db"
        databases.copy_sqlite_file(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_url")
    asyncio.run(databases.empty_postgres_database(url))
    return url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url,
        data_dir=tmp_path,
        secret_keys=[TEST_KEY],
        embedded_worker=False,
        job_poll_seconds=0.05,
        event_poll_seconds=0.05,
        job_lease_seconds=5.0,
        provider_timeout_seconds=5.0,
        log_format="text",
        allow_private_addresses=True,  # the emulators listen on loopback
    )


@pytest.fixture
async def hub(settings: Settings) -> AsyncIterator[Hub]:
    async with open_hub(settings) as opened:
        yield opened
