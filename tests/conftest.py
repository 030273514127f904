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


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'tillsync.db'}"
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
