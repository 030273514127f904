"""Four worker processes due to refresh one token at once, each also meeting a 401: Tally
(whose refresh tokens are single use) sees exactly one refresh, and every invoice is made."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.support.processes import environment
from tests.support.tally import CLIENT_ID, CLIENT_SECRET
from tests.support.tally_world import TallyWorld
from tests.support.world import eventually
from tillsync.store.tables import WorkerHeartbeat

pytestmark = pytest.mark.long(20)

ROOT = Path(__file__).resolve().parents[3]
WORKERS = 4


@asynccontextmanager
async def tally_worker(env: dict[str, str]) -> AsyncIterator[asyncio.subprocess.Process]:
    """A worker process of a hub that knows Tally; stopped with SIGTERM, killed if need be."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.support.tally.worker", env=env, cwd=ROOT
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()


async def test_four_workers_due_at_once_refresh_the_token_exactly_once(
    world: TallyWorld,
) -> None:
    world.tally.lifetime = dt.timedelta(minutes=10)  # due at once: 30 minutes ahead
    await world.connect()
    world.tally.lifetime = dt.timedelta(hours=2)  # the refreshed token is not due
    world.tally.expire_access_tokens()  # and every call with the old one meets a 401
    for n in range(WORKERS):
        await world.sell(f"S-RACE-{n}")
    env = environment(
        world.hub.settings,
        TILLSYNC_SCHEDULER_SECONDS="0.1",
        TILLSYNC_HEARTBEAT_SECONDS="0.2",
        TILLSYNC_WORKER_CONCURRENCY="1",
        TILLSYNC_PROVIDER_URLS=json.dumps({"tally": world.tally_url}),
        TILLSYNC_OAUTH_APPS=json.dumps(
            {"tally": {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}}
        ),
        PYTHONPATH=f"{ROOT / 'src'}:{ROOT}",
    )

    async with AsyncExitStack() as stack:
        for _ in range(WORKERS):
            await stack.enter_async_context(tally_worker(env))

        async def settled() -> bool:
            jobs = await world.jobs("tally.create_invoice") + await world.jobs(
                "tally.refresh_token"
            )
            return len(jobs) == WORKERS + 1 and all(job.state == "success" for job in jobs)

        await eventually(settled, within=60)
        done = dt.datetime.now(dt.UTC)

        async def every_worker_looked_again() -> bool:
            async with world.hub.uows.read() as session:
                beats = list(await session.scalars(select(WorkerHeartbeat)))
            later = [beat for beat in beats if beat.seen_at > done + dt.timedelta(seconds=1)]
            return len(later) == WORKERS

        await eventually(every_worker_looked_again, within=30)

    assert world.tally.refreshes == 1
    assert sorted(i["reference"] for i in world.tally.invoices) == [
        f"S-RACE-{n}" for n in range(WORKERS)
    ]
    assert world.tally.refused >= 1
    connection = await world.connection()
    assert connection is not None
    assert connection.status == "active"
    assert not await world.notifications()
