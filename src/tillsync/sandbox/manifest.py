"""`sandbox.json`: what a running sandbox tells the user and the other commands.

It holds every URL and key of the demo business, and where the sandbox keeps its data (its
database and the folder of its development key), so `tillsync jobs list --state-dir …`
reads the sandbox's own database. It is written whole, readable by its owner only, once
everything answers; a folder without it has no sandbox ready.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tillsync.errors import ConfigurationError

MANIFEST = "sandbox.json"


@dataclass(frozen=True, slots=True)
class SandboxStore:
    """Where a sandbox keeps its data."""

    database_url: str
    data_dir: Path


def manifest_path(state_dir: Path) -> Path:
    return state_dir / MANIFEST


def write_manifest(state_dir: Path, manifest: dict[str, Any]) -> Path:
    """Written to a private file beside it, then renamed: never seen half-written or open."""
    path = manifest_path(state_dir)
    handle, temporary = tempfile.mkstemp(dir=state_dir, prefix=".sandbox-", suffix=".json")
    try:
        with os.fdopen(handle, "w") as file:  # mkstemp makes it readable by its owner only
            file.write(json.dumps(manifest, indent=2) + "\n")
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def read_store(state_dir: Path) -> SandboxStore:
    """Where the sandbox of `state_dir` keeps its data; ConfigurationError if none is there."""
    path = manifest_path(state_dir)
    try:
        manifest = json.loads(path.read_text())
        return SandboxStore(
            database_url=str(manifest["database_url"]), data_dir=Path(manifest["data_dir"])
        )
    except FileNotFoundError as exc:
        raise ConfigurationError(f"no sandbox in {state_dir} (it has no {MANIFEST})") from exc
    except KeyError as exc:
        raise ConfigurationError(
            f"{path} does not say where the sandbox keeps its data: start the sandbox again"
        ) from exc
    except (OSError, ValueError, TypeError) as exc:
        raise ConfigurationError(
            f"{path} is not a sandbox's manifest ({type(exc).__name__})"
        ) from exc
