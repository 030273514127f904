"""Ctrl+C (SIGINT) or SIGTERM: `serve`, `worker` and `sandbox` stop at once and quietly.

A live stream used to hold `serve` until uvicorn's graceful-shutdown timeout, which then
cancelled it with a fifty-line traceback. Now the stream is ended first, cleanly (the
client reads the end of the response, not a dropped connection).
"""

import asyncio
import json
import signal
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from tests.support.processes import Watched, environment, watched_process
from tests.support.world import eventually
from tillsync.bootstrap import open_hub
from tillsync.config import Settings
from tillsync.services.tenants import create_tenant
from tillsync.serving import free_port
from tillsync.store.tables import WorkerHeartbeat

SIGNALS = [signal.SIGINT, signal.SIGTERM]
START_SECONDS = 90.0
"""Starting a process on a busy two-core machine; stopping is what is tested."""
STOP_SECONDS = 15.0
"""A generous bound on a stop that takes well under two seconds on an idle machine."""


async def _tenant_key(settings: Settings) -> str:
    async with open_hub(settings) as hub:
        return (await create_tenant(hub.uows, name="Fade Factory")).api_key


async def _stream_until_it_ends(client: httpx.AsyncClient, connected: asyncio.Event) -> None:
    """Read the live stream to its end; a connection dropped midway raises."""
    async with client.stream("GET", "/api/events", timeout=None) as response:
        assert response.status_code == 200
        async for line in response.aiter_lines():
            if line.startswith(": connected"):
                connected.set()


async def _answers(client: httpx.AsyncClient) -> bool:
    try:
        return (await client.get("/healthz")).status_code == 200
    except httpx.TransportError:
        return False


async def _stop(watched: Watched, signum: int) -> int:
    watched.process.send_signal(signum)
    async with asyncio.timeout(STOP_SECONDS):
        return await watched.process.wait()


def _assert_quiet(watched: Watched) -> None:
    output = watched.output
    assert "Traceback" not in output, output
    assert "graceful shutdown exceeded" not in output, output
    assert not [line for line in watched.stderr if '"level": "error"' in line], output


@pytest.mark.parametrize("signum", SIGNALS, ids=["SIGINT", "SIGTERM"])
async def test_serve_with_a_live_stream_open_stops_at_once_and_quietly(
    settings: Settings, signum: int
) -> None:
    key = await _tenant_key(settings)
    port = free_port()
    env = environment(settings, TILLSYNC_LOG_FORMAT="json")
    async with (
        watched_process("serve", "--port", str(port), env=env) as served,
        httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {key}"}
        ) as client,
    ):
        await eventually(lambda: _answers(client), within=START_SECONDS)
        connected = asyncio.Event()
        stream = asyncio.create_task(_stream_until_it_ends(client, connected))
        async with asyncio.timeout(30):
            await connected.wait()
        code = await _stop(served, signum)
        async with asyncio.timeout(STOP_SECONDS):
            await stream  # ended by the hub, with the response's end
    assert code == 0, served.output
    _assert_quiet(served)
    assert any('"GET /api/events 200"' in line for line in served.stderr)


async def _heartbeats(settings: Settings) -> int:
    async with open_hub(settings) as hub, hub.uows.read() as session:
        return int(await session.scalar(select(func.count()).select_from(WorkerHeartbeat)) or 0)


@pytest.mark.parametrize("signum", SIGNALS, ids=["SIGINT", "SIGTERM"])
async def test_a_worker_stops_at_once_and_takes_its_heartbeat_with_it(
    settings: Settings, signum: int
) -> None:
    env = environment(settings, TILLSYNC_LOG_FORMAT="json", TILLSYNC_HEARTBEAT_SECONDS="0.2")
    async with watched_process("worker", env=env) as worker:
        await worker.wait_for_line("worker started", within=START_SECONDS)
        await eventually(lambda: _heartbeats(settings), within=30)
        code = await _stop(worker, signum)
    assert code == 0, worker.output
    _assert_quiet(worker)
    assert await _heartbeats(settings) == 0


@pytest.mark.long(25)
async def test_the_sandbox_with_a_live_stream_open_stops_quietly_on_ctrl_c(
    settings: Settings, tmp_path: Path
) -> None:
    state_dir = tmp_path / "state"
    env = environment(settings)
    for name in ("TILLSYNC_PUBLIC_URL", "TILLSYNC_DATA_DIR"):
        env.pop(name)
    port = free_port()
    args = ["sandbox", "--port", str(port), "--state-dir", str(state_dir)]
    async with watched_process(*args, env=env) as sandbox:
        await sandbox.wait_for_line("Press Ctrl+C to stop", within=START_SECONDS)
        manifest = json.loads((state_dir / "sandbox.json").read_text())
        headers = {"Authorization": f"Bearer {manifest['api_key']}"}
        async with httpx.AsyncClient(base_url=manifest["hub_url"], headers=headers) as client:
            connected = asyncio.Event()
            stream = asyncio.create_task(_stream_until_it_ends(client, connected))
            async with asyncio.timeout(30):
                await connected.wait()
            code = await _stop(sandbox, signal.SIGINT)
            async with asyncio.timeout(STOP_SECONDS):
                await stream
    assert code == 0, sandbox.output
    _assert_quiet(sandbox)
    assert "Stopping the sandbox" in sandbox.output
