"""The benches' processes: the event loop that always stops, emulators and workers of their own.

An emulator runs as its own `tillsync emulator <provider>` process, so it does not share
the hub's CPU; `tillsync worker` processes run beside the hub as a deployment runs them.
"""

from __future__ import annotations

import asyncio
import os
import shlex
import signal
import sys
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from tillsync.config import Settings

STARTUP_SECONDS = 30.0


def run(main: Coroutine[Any, Any, None]) -> None:
    """`asyncio.run`, with SIGTERM handled like Ctrl+C: the emulator process always stops."""

    async def guarded() -> None:
        task = asyncio.current_task()
        assert task is not None
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
        await main

    try:
        asyncio.run(guarded())
    except asyncio.CancelledError:
        raise SystemExit(143) from None


def command_line() -> str:
    return shlex.join([Path(sys.executable).name, *sys.argv])


def backend_of(database_url: str | None) -> str:
    return "PostgreSQL" if database_url else "SQLite (WAL, file in a temporary folder)"


@asynccontextmanager
async def tillsync_process(
    log: Path, *arguments: str, env: dict[str, str]
) -> AsyncIterator[tuple[asyncio.subprocess.Process, str]]:
    """`tillsync <arguments> --port 0` as its own process, its stderr in `log`; the process
    and the address it printed first, once it listens; stopped on leaving."""
    with log.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tillsync",
            *arguments,
            "--port",
            "0",
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=stderr,
        )
    try:
        assert process.stdout is not None
        async with asyncio.timeout(STARTUP_SECONDS):
            line = (await process.stdout.readline()).decode()
        if "http://" not in line:
            raise SystemExit(f"tillsync {arguments[0]} did not start:\n{log.read_text()[-2000:]}")
        yield process, line[line.index("http://") :].strip()
    finally:
        if process.returncode is None:
            process.terminate()
            await stopped(process)


@asynccontextmanager
async def emulator_process(folder: Path, provider: str) -> AsyncIterator[str]:
    """`tillsync emulator <provider>` as its own process, so it does not share the hub's CPU."""
    log = folder / f"emulator-{provider}.log"
    async with tillsync_process(log, "emulator", provider, env=untouched_environment()) as (
        _,
        url,
    ):
        yield url


@asynccontextmanager
async def separate_workers(settings: Settings, count: int) -> AsyncIterator[None]:
    """`count` × `tillsync worker` beside the hub, as a production deployment runs them: the
    same database and vault folder, the hub's worker settings, quiet."""
    env = untouched_environment() | {
        "TILLSYNC_DATA_DIR": str(settings.data_dir),
        "TILLSYNC_DATABASE_URL": settings.database_url,
        "TILLSYNC_WORKER_CONCURRENCY": str(settings.worker_concurrency),
        "TILLSYNC_JOB_POLL_SECONDS": str(settings.job_poll_seconds),
        "TILLSYNC_ALLOW_PRIVATE_ADDRESSES": "true",  # the emulator is on loopback
        "TILLSYNC_LOG_LEVEL": "WARNING",
    }
    processes = [
        await asyncio.create_subprocess_exec(sys.executable, "-m", "tillsync", "worker", env=env)
        for _ in range(count)
    ]
    try:
        yield
    finally:
        for process in processes:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            await stopped(process)


def untouched_environment() -> dict[str, str]:
    """This process's environment without its `TILLSYNC_` settings."""
    return {k: v for k, v in os.environ.items() if not k.startswith("TILLSYNC_")}


async def stopped(process: asyncio.subprocess.Process) -> None:
    """Wait for a stopping process; killed if it takes over ten seconds."""
    try:
        async with asyncio.timeout(10):
            await process.wait()
    except TimeoutError:
        process.kill()
        await process.wait()
