"""tillsync commands run as real child processes, for crash and shutdown tests."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from tillsync.config import Settings


def environment(settings: Settings, **extra: str) -> dict[str, str]:
    """The settings of a test hub as TILLSYNC_* variables for a child process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TILLSYNC_")}
    env |= {
        "TILLSYNC_DATABASE_URL": settings.database_url,
        "TILLSYNC_SECRET_KEYS": ",".join(settings.secret_keys),
        "TILLSYNC_DATA_DIR": str(settings.data_dir),
        "TILLSYNC_PUBLIC_URL": settings.resolved_public_url,
        "TILLSYNC_JOB_POLL_SECONDS": "0.05",
        "TILLSYNC_LOG_FORMAT": "text",
        "TILLSYNC_ALLOW_PRIVATE_ADDRESSES": "true",
    }
    if settings.provider_urls:  # the emulators the test hub was pointed at
        env["TILLSYNC_PROVIDER_URLS"] = json.dumps(settings.provider_urls)
    if settings.oauth_apps:
        apps = {
            name: {"client_id": app.client_id, "client_secret": app.client_secret}
            for name, app in settings.oauth_apps.items()
        }
        env["TILLSYNC_OAUTH_APPS"] = json.dumps(apps)
    return env | extra


@asynccontextmanager
async def tillsync_process(
    *args: str, env: dict[str, str]
) -> AsyncIterator[asyncio.subprocess.Process]:
    """Run `python -m tillsync ARGS`; killed (SIGKILL) at the end if still running."""
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "tillsync", *args, env=env)
    try:
        yield process
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGKILL)
            await process.wait()


@dataclass
class Watched:
    """A running `python -m tillsync` whose output is read as it comes (no pipe fills up)."""

    process: asyncio.subprocess.Process
    stdout: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)

    async def wait_for_line(self, text: str, *, within: float) -> str:
        """The first line of either stream that contains `text`."""
        async with asyncio.timeout(within):
            while True:
                for line in self.stdout + self.stderr:
                    if text in line:
                        return line
                if self.process.returncode is not None:
                    raise AssertionError(f"exited with {self.process.returncode}: {self.output}")
                await asyncio.sleep(0.05)

    @property
    def output(self) -> str:
        return "".join(self.stdout) + "".join(self.stderr)


@asynccontextmanager
async def watched_process(*args: str, env: dict[str, str]) -> AsyncIterator[Watched]:
    """Run `python -m tillsync ARGS` with both streams read; killed at the end if still running."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tillsync",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    watched = Watched(process)
    assert process.stdout is not None
    assert process.stderr is not None
    readers = [
        asyncio.create_task(_read(process.stdout, watched.stdout)),
        asyncio.create_task(_read(process.stderr, watched.stderr)),
    ]
    try:
        yield watched
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGKILL)
            await process.wait()
        await asyncio.gather(*readers)


async def _read(stream: asyncio.StreamReader, into: list[str]) -> None:
    while line := await stream.readline():
        into.append(line.decode(errors="replace"))
