"""tillsync commands run as real child processes, for crash tests."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

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
