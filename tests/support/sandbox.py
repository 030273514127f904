"""`tillsync sandbox` run as a user runs it: its own process, its manifest once it is ready."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

READY_SECONDS = 90.0


def sandbox_environment(database_url: str | None = None, **extra: str) -> dict[str, str]:
    """A user's environment: no TILLSYNC_* settings but the database, if not the sandbox's file.

    No secret keys either: the sandbox makes its development key, as it does for a newcomer.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("TILLSYNC_")}
    env |= {"TILLSYNC_JOB_POLL_SECONDS": "0.05", "COLUMNS": "200"}
    if database_url is not None:
        env["TILLSYNC_DATABASE_URL"] = database_url
    return env | extra


def wait_for_manifest(state_dir: Path, *, exited: Callable[[], int | None]) -> dict[str, Any]:
    """The sandbox writes sandbox.json once everything answers; `exited` gives its exit code."""
    path = state_dir / "sandbox.json"
    deadline = time.monotonic() + READY_SECONDS
    while not path.exists():
        code = exited()
        if code is not None:
            raise AssertionError(f"the sandbox exited with {code}")
        if time.monotonic() > deadline:
            raise AssertionError(f"the sandbox wrote no {path.name} in {READY_SECONDS:.0f} s")
        time.sleep(0.1)
    data: dict[str, Any] = json.loads(path.read_text())
    return data
