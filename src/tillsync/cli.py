"""The tillsync command line."""

from __future__ import annotations

import asyncio
import logging
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from tillsync import __version__, serving
from tillsync.cli_common import (
    SANDBOX_DIR,
    STATE_DIR_ENV,
    StateDir,
    Verbose,
    command_logging,
    console,
    run_until_signalled,
    setting,
)
from tillsync.cli_jobs import jobs_app
from tillsync.cli_keys import keys_app
from tillsync.cli_target import command_settings, plain_settings, service_settings
from tillsync.cli_tenants import tenant_app
from tillsync.errors import PortInUse
from tillsync.providers import EMULATORS, default_providers
from tillsync.serving import settle_heap

app = typer.Typer(
    help="tillsync: keeps your POS and ordering apps in agreement with the systems around them."
    "\n\nSettings come from TILLSYNC_* environment variables or a .env file (each command's "
    "--help names those behind its options); every command says on stderr which database it "
    "uses. Start with `tillsync sandbox --simulate`.",
    no_args_is_help=True,
)
app.add_typer(tenant_app, name="tenant")
app.add_typer(keys_app, name="keys")
app.add_typer(jobs_app, name="jobs")

# Choices come from the registry, so its members are not known to the type checker.
Warehouse = StrEnum(  # type: ignore[misc]
    "Warehouse", {p.name: p.name for p in default_providers().with_role("warehouse")}
)
Emulated = StrEnum("Emulated", {name: name for name in EMULATORS})  # type: ignore[misc]


def _version(asked: bool) -> None:
    if asked:
        typer.echo(f"tillsync {__version__}")
        raise typer.Exit


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and stop.", callback=_version, is_eager=True
        ),
    ] = False,
) -> None:
    """Options given before any command."""


@app.command()
def serve(
    host: Annotated[str | None, setting("host", "Address to listen on.")] = None,
    port: Annotated[int | None, setting("port", "Port to listen on.")] = None,
    worker: Annotated[
        bool | None,
        setting(
            "embedded_worker",
            "Run an embedded worker and scheduler.",
            show_default="worker",
        ),
    ] = None,
    state_dir: StateDir = None,
) -> None:
    """Run the HTTP API (with an embedded worker unless --no-worker)."""
    from tillsync.api.app import create_app

    settings = service_settings(state_dir, host=host, port=port, embedded_worker=worker)

    async def main(stop: asyncio.Event) -> None:
        app_ = create_app(settings)
        async with serving.serve(app_, host=settings.host, port=settings.port) as url:
            settle_heap()
            console.print(f"tillsync listening on {url}")
            await stop.wait()

    try:
        run_until_signalled(main)
    except PortInUse as exc:
        console.print(f"tillsync cannot start: {exc} or TILLSYNC_PORT", style="red", soft_wrap=True)
        raise typer.Exit(2) from None


@app.command()
def worker(state_dir: StateDir = None) -> None:
    """Run a worker alone (more processes or hosts can share one PostgreSQL)."""
    from tillsync.bootstrap import open_hub

    settings = service_settings(state_dir)

    async def main(stop: asyncio.Event) -> None:
        async with open_hub(settings) as hub:
            await hub.run_worker(stop)

    run_until_signalled(main)


@app.command()
def sync(
    provider: Annotated[Warehouse, typer.Argument(help="The warehouse to pull from.")],
    *,
    full: Annotated[
        bool, typer.Option(help="Every product and stock row, not only changes.")
    ] = False,
    reconcile: Annotated[
        bool, typer.Option(help="A full pull that also reports the drift it repairs.")
    ] = False,
    tenant: Annotated[
        str | None, typer.Option(help="Tenant id (needed when several are connected).")
    ] = None,
    here: Annotated[
        bool, typer.Option(help="Run a worker in this process too (no hub running).")
    ] = False,
    state_dir: StateDir = None,
    verbose: Verbose = False,
) -> None:
    """Pull from a warehouse now (changes only, unless --full) and follow its progress."""
    from tillsync.cli_progress import follow_pull

    settings = command_settings(state_dir, verbose=verbose)
    mode = "reconcile" if reconcile else "full" if full else "quick"
    status = asyncio.run(
        follow_pull(
            settings, console, provider=str(provider.value), mode=mode, tenant=tenant, here=here
        )
    )
    if status != "success":
        raise typer.Exit(1)


@app.command()
def emulator(
    provider: Annotated[
        Emulated | None, typer.Argument(help="Which provider (the first one if not given).")
    ] = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (0: any free one).")] = 0,
) -> None:
    """Run one provider emulator alone; its control surface is under /_emulator/."""
    from tillsync.providers import emulator_app

    name = str(provider.value) if provider is not None else next(iter(EMULATORS))
    command_logging(verbose=False)

    async def main(stop: asyncio.Event) -> None:
        async with serving.serve(emulator_app(name), host=host, port=port) as url:
            typer.echo(url)  # the first line is the address, for scripts
            await stop.wait()

    run_until_signalled(main)


@app.command()
def sandbox(
    port: Annotated[int, typer.Option(help="Port of the hub.", envvar="TILLSYNC_PORT")] = 9999,
    state_dir: Annotated[
        Path,
        typer.Option(
            help="Where the sandbox keeps its files (database, sandbox.json); made afresh.",
            envvar=STATE_DIR_ENV,
        ),
    ] = SANDBOX_DIR,
    simulate: Annotated[bool, typer.Option(help="Run a simulated day of trade.")] = False,
    pace: Annotated[
        float, typer.Option(min=0, help="Seconds between two moments of the simulated day.")
    ] = 4.0,
    verbose: Verbose = False,
) -> None:
    """Run the hub and every provider emulator on loopback, with two demo businesses connected."""
    from tillsync.sandbox.runner import run_sandbox

    # The sandbox tells what happens in its own words; the log is for --verbose.
    command_logging(verbose=verbose, level=logging.ERROR)
    settings = plain_settings(port=port, data_dir=state_dir, host="127.0.0.1")
    try:
        run_until_signalled(
            lambda stop: run_sandbox(
                settings, state_dir=state_dir, simulate=simulate, pace=pace, stop=stop
            )
        )
    except PortInUse as exc:
        console.print(
            f"tillsync cannot start: {exc} (make demo PORT=…)", style="red", soft_wrap=True
        )
        raise typer.Exit(2) from None


def main() -> None:
    app()
