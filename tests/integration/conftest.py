"""Fixtures for integration tests that run the command line."""

from pathlib import Path

import pytest

from tests.conftest import TEST_KEY
from tillsync import cli


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """TILLSYNC_* variables pointing the CLI at a SQLite file of its own."""
    monkeypatch.setenv("TILLSYNC_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("TILLSYNC_SECRET_KEYS", TEST_KEY)
    monkeypatch.setenv("TILLSYNC_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TILLSYNC_LOG_FORMAT", "text")
    monkeypatch.setenv("COLUMNS", "200")
    # The console was made at import, before COLUMNS was set: give it the same width, so
    # tables read the same whether or not the tests write to a terminal.
    monkeypatch.setattr(cli.console, "width", 200)
    return tmp_path
