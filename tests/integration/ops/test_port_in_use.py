"""A port another program holds: one line naming it and how to choose another, no traceback."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TEST_KEY


@pytest.mark.parametrize(
    ("command", "hint"),
    [
        (["serve"], "choose another with --port or TILLSYNC_PORT"),
        (["sandbox", "--state-dir", "state"], "choose another with --port (make demo PORT=…)"),
    ],
    ids=["serve", "sandbox"],
)
def test_a_port_in_use_is_named_in_one_line(tmp_path: Path, command: list[str], hint: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TILLSYNC_")}
    env |= {"TILLSYNC_DATA_DIR": str(tmp_path), "TILLSYNC_SECRET_KEYS": TEST_KEY}
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(  # noqa: S603 (our own command line)
            [sys.executable, "-m", "tillsync", *command, "--port", str(port)],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 2
    assert done.stdout == f"tillsync cannot start: port {port} on 127.0.0.1 is in use: {hint}\n"
    assert "Traceback" not in done.stderr
