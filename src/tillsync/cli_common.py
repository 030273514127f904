"""What every tillsync command shares: its console, its settings, its way of stopping."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable

import typer
from rich.console import Console

from tillsync.config import Settings
from tillsync.logs import configure_logging

console = Console()


def settings_from_env(**overrides: object) -> Settings:
    from tillsync.errors import ConfigurationError
    from tillsync.vault import check_keys

    settings = Settings(**{k: v for k, v in overrides.items() if v is not None})  # type: ignore[arg-type]
    configure_logging(level=settings.log_level, fmt=settings.log_format)
    try:
        check_keys(keys=settings.secret_keys, production=settings.environment == "production")
    except ConfigurationError as exc:
        console.print(f"tillsync cannot start: {exc}", style="bold red", markup=False)
        raise typer.Exit(2) from exc
    return settings


def run_until_signalled(main: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    """Run `main(stop)`; SIGINT and SIGTERM set `stop` for a clean shutdown."""

    async def runner() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await main(stop)

    asyncio.run(runner())
