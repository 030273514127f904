"""What every tillsync command shares: its consoles, its options, its log, its way of stopping."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console

from tillsync.config import Settings
from tillsync.logs import configure_logging

console = Console()
"""What a command answers (stdout): tables, keys, JSON."""
notes = Console(stderr=True, highlight=False)
"""What it says about itself (stderr): the database it uses, what went wrong."""

ENV_PREFIX = "TILLSYNC_"
STATE_DIR_ENV = "TILLSYNC_STATE_DIR"
SANDBOX_DIR = Path(".tillsync-sandbox")
QUIET_LOGGERS = ("tillsync.vault",)
"""Loggers whose warnings a one-shot command keeps to --verbose: the development key."""

StateDir = Annotated[
    Path | None,
    typer.Option(
        "--state-dir",
        help="The folder of a sandbox (`tillsync sandbox --state-dir`): use its database.",
        envvar=STATE_DIR_ENV,
        show_envvar=True,
    ),
]
Verbose = Annotated[
    bool,
    typer.Option(
        "--verbose", "-v", help="Show the log too: migrations, the development key, warnings."
    ),
]

AsJson = Annotated[bool, typer.Option("--json", help="One JSON array on stdout, for scripts.")]


def setting(name: str, help: str, **extra: Any) -> Any:
    """An option that overrides the setting `name`: its variable and default shown in --help.

    The option's own default stays None, so an unset option leaves the setting as the
    environment or `.env` gives it.
    """
    default = Settings.model_fields[name].default
    shown = extra.pop("show_default", str(default))
    return typer.Option(
        help=help,
        envvar=ENV_PREFIX + name.upper(),
        show_envvar=True,
        show_default=shown,
        **extra,
    )


def command_logging(*, verbose: bool, level: int = logging.WARNING) -> None:
    """A command's log, as text since a person reads it: unless --verbose, only from `level`
    up, and none of the development key's warnings.

    The handlers do the choosing, not the loggers' levels: records are still made (and
    anything that watches them still sees them), only not written.
    """
    configure_logging(level="INFO", fmt="text")
    if not verbose:
        for handler in logging.getLogger().handlers:
            handler.setLevel(level)
            handler.addFilter(_not_quiet)


def _not_quiet(record: logging.LogRecord) -> bool:
    return record.levelno >= logging.ERROR or not record.name.startswith(QUIET_LOGGERS)


def print_json(rows: list[dict[str, object]]) -> None:
    typer.echo(json.dumps(rows, indent=2))


def fail(message: str, *, code: int = 1) -> NoReturn:
    notes.print(message, style="red", markup=False, soft_wrap=True)
    raise typer.Exit(code)


def run_until_signalled(main: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    """Run `main(stop)`; SIGINT and SIGTERM set `stop` for a clean shutdown."""

    async def runner() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await main(stop)

    asyncio.run(runner())
