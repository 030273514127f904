"""`tillsync sync cin7`: queues a pull and follows its run to the end."""

import asyncio

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from tests.support.world import open_world
from tillsync.cli import app
from tillsync.config import Settings
from tillsync.store.tables import Run

FAST = {"rate_limit": {"calls": 100_000, "window_seconds": 1}}


async def test_sync_cin7_full_runs_a_full_pull_and_reports_it(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TILLSYNC_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("TILLSYNC_SECRET_KEYS", ",".join(settings.secret_keys))
    monkeypatch.setenv("TILLSYNC_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("TILLSYNC_LOG_FORMAT", "text")
    async with open_world(settings, connection_settings={**FAST, "page_size": 100}) as world:
        (account,) = world.state.accounts
        world.state.generate_products(account, count=450, prefix="GEN")
        runner = CliRunner()
        result = await asyncio.to_thread(runner.invoke, app, ["sync", "cin7", "--full", "--here"])
        assert result.exit_code == 0, result.output
        again = await asyncio.to_thread(runner.invoke, app, ["sync", "cin7", "--here"])
        assert again.exit_code == 0, again.output
        async with world.hub.hub.uows.read() as session:
            runs = list(await session.scalars(select(Run).where(Run.type == "manual")))
    full = next(r for r in runs if r.details.get("mode") == "full")
    quick = next(r for r in runs if r.details.get("mode") == "quick")
    assert (full.status, full.pages) == ("success", 5 + 5)  # 451 products, 100 a page
    assert f"run {full.id}: success, 10 page(s)" in result.output
    assert quick.status == "success"
    assert f"run {quick.id}: success" in again.output
