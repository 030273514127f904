"""GET /readyz: 200 when the database answers at the newest migration and a worker lives."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from alembic import command

from tests.support import databases
from tests.support.hubs import RunningHub, running_hub
from tests.support.world import eventually
from tillsync.clock import ShiftedClock
from tillsync.config import Settings
from tillsync.store.migrate import alembic_config, upgrade


@pytest.fixture
async def own_database(settings: Settings, tmp_path: Path) -> AsyncIterator[Settings]:
    """Settings with a database of the test's own, which it may break."""
    if settings.database_url.startswith("sqlite"):
        yield settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'own.db'}"})
        return
    url = await databases.create_postgres_database()
    try:
        yield settings.model_copy(update={"database_url": url})
    finally:
        await databases.drop_postgres_database(url)


@contextlib.asynccontextmanager
async def _worker(hub: RunningHub) -> AsyncIterator[None]:
    """A worker with its heartbeat, as `tillsync worker` or the embedded one runs it."""
    stop = asyncio.Event()
    running = asyncio.create_task(hub.hub.run_worker(stop))
    try:
        yield
    finally:
        stop.set()
        await running


async def _ready(client: httpx.AsyncClient) -> httpx.Response:
    return await client.get("/readyz")


async def test_a_hub_with_a_live_worker_is_ready_and_not_once_it_stops(
    settings: Settings,
) -> None:
    settings.heartbeat_seconds = 0.2
    async with running_hub(settings) as hub, httpx.AsyncClient(base_url=hub.url) as client:
        async with _worker(hub):
            ready = await eventually(lambda: _status(client, 200), within=60)  # a first beat
            assert ready.json() == {
                "status": "ready",
                "checks": {"database": "ok", "migrations": "ok", "workers": "ok"},
            }
        stopped = await _ready(client)  # a worker that stops says so: no waiting for a timeout
    assert stopped.status_code == 503
    assert stopped.json()["reason"].startswith("workers: no worker heard from")


async def _status(client: httpx.AsyncClient, status: int) -> httpx.Response | None:
    answer = await _ready(client)
    return answer if answer.status_code == status else None


async def test_without_a_worker_the_hub_is_alive_but_not_ready(settings: Settings) -> None:
    async with running_hub(settings) as hub, httpx.AsyncClient(base_url=hub.url) as client:
        ready = await _ready(client)
        alive = await client.get("/healthz")
    assert alive.status_code == 200
    assert ready.status_code == 503
    assert ready.json() == {
        "status": "unavailable",
        "reason": "workers: no worker heard from in the last 60 s",
        "checks": {
            "database": "ok",
            "migrations": "ok",
            "workers": "no worker heard from in the last 60 s",
        },
    }


async def test_a_worker_gone_quiet_for_longer_than_the_timeout_is_not_counted(
    settings: Settings,
) -> None:
    settings.heartbeat_seconds = 3600  # one beat, then silence
    settings.heartbeat_timeout_seconds = 60
    clock = ShiftedClock()
    async with (
        running_hub(settings, clock=clock) as hub,
        httpx.AsyncClient(base_url=hub.url) as client,
        _worker(hub),
    ):
        await eventually(lambda: _status(client, 200), within=60)
        clock.skip(61)
        quiet = await _ready(client)
    assert quiet.status_code == 503
    assert quiet.json()["checks"]["workers"] == "no worker heard from in the last 60 s"


async def test_a_database_that_is_gone_makes_the_hub_unready(own_database: Settings) -> None:
    own_database.embedded_worker = True
    async with running_hub(own_database) as hub, httpx.AsyncClient(base_url=hub.url) as client:
        await eventually(lambda: _status(client, 200), within=60)
        await _remove(own_database.database_url)
        gone = await eventually(lambda: _status(client, 503), within=60)
        alive = await client.get("/healthz")
    assert alive.status_code == 200
    body = gone.json()
    assert body["reason"].startswith("database: ")
    assert body["checks"]["migrations"] == "not checked"
    assert own_database.database_url.split("://")[1] not in gone.text


async def _remove(url: str) -> None:
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        for stale in path.parent.glob(path.name + "*"):
            stale.unlink()
    else:
        await databases.drop_postgres_database(url)


async def test_a_database_behind_the_newest_migration_makes_the_hub_unready(
    own_database: Settings,
) -> None:
    own_database.embedded_worker = True
    async with running_hub(own_database) as hub, httpx.AsyncClient(base_url=hub.url) as client:
        await eventually(lambda: _status(client, 200), within=60)
        database = hub.hub.uows.database
        async with database.engine.begin() as connection:
            await connection.run_sync(lambda sync: command.downgrade(alembic_config(sync), "0005"))
        behind = await _ready(client)
        await upgrade(database)
        again = await eventually(lambda: _status(client, 200), within=60)
    assert behind.status_code == 503
    assert behind.json()["reason"] == "migrations: the schema is not at the newest migration"
    assert again.json()["status"] == "ready"
