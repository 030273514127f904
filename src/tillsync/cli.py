"""The tillsync command line."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from tillsync import serving
from tillsync.cli_common import console, run_until_signalled
from tillsync.cli_common import settings_from_env as _settings
from tillsync.cli_jobs import jobs_app
from tillsync.errors import PortInUse

app = typer.Typer(
    help="tillsync: keeps your POS and ordering apps in agreement with the systems around them.",
    no_args_is_help=True,
)
tenant_app = typer.Typer(help="Tenants (businesses) and their API keys.", no_args_is_help=True)
keys_app = typer.Typer(help="Encryption keys of the credential vault.", no_args_is_help=True)
app.add_typer(tenant_app, name="tenant")
app.add_typer(keys_app, name="keys")
app.add_typer(jobs_app, name="jobs")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    worker: Annotated[bool, typer.Option(help="Run an embedded worker.")] = True,
) -> None:
    """Run the HTTP API (with an embedded worker unless --no-worker)."""
    from tillsync.api.app import create_app

    settings = _settings(host=host, port=port, embedded_worker=worker)

    async def main(stop: asyncio.Event) -> None:
        app_ = create_app(settings)
        async with serving.serve(app_, host=settings.host, port=settings.port) as url:
            console.print(f"tillsync listening on {url}")
            await stop.wait()

    try:
        run_until_signalled(main)
    except PortInUse as exc:
        console.print(f"tillsync cannot start: {exc} or TILLSYNC_PORT", style="red", soft_wrap=True)
        raise typer.Exit(2) from None


@app.command()
def worker() -> None:
    """Run a worker alone (more processes or hosts can share one PostgreSQL)."""
    from tillsync.bootstrap import open_hub

    settings = _settings()

    async def main(stop: asyncio.Event) -> None:
        async with open_hub(settings) as hub:
            await hub.run_worker(stop)

    run_until_signalled(main)


@tenant_app.command("create")
def tenant_create(
    name: str,
    location: Annotated[str, typer.Option(help="Default stock location.")] = "Main Warehouse",
) -> None:
    """Create a tenant and print its API key (shown once)."""
    from tillsync.bootstrap import open_hub
    from tillsync.services.tenants import create_tenant

    settings = _settings()

    async def main() -> None:
        async with open_hub(settings) as hub:
            created = await create_tenant(hub.uows, name=name, default_location=location)
        console.print(f"tenant  {created.tenant_id}  {created.name}")
        console.print(f"api key {created.api_key}")
        console.print("[yellow]The key is shown only now: keep it somewhere safe.[/yellow]")

    asyncio.run(main())


@keys_app.command("generate")
def keys_generate() -> None:
    """Print a new random key for TILLSYNC_SECRET_KEYS."""
    from tillsync.vault import generate_key

    typer.echo(generate_key())


@keys_app.command("rotate")
def keys_rotate(
    batch: Annotated[int, typer.Option(min=1, max=1000, help="Rows per transaction.")] = 50,
) -> None:
    """Re-encrypt every stored secret with the first key of TILLSYNC_SECRET_KEYS.

    The hub may keep running. Put the new key first and keep every older key after it, in
    this command's settings and in every hub process (each must know the new key before
    this runs); remove an old key only once this reports nothing left under it.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from tillsync.bootstrap import open_hub
    from tillsync.services.rotation import rotate_secrets

    settings = _settings()
    if not settings.secret_keys:
        console.print(
            "Set TILLSYNC_SECRET_KEYS: the new key first, then every key still in use "
            f"(a development key is in {settings.data_dir / 'secret.key'}).",
            style="red",
            markup=False,
        )
        raise typer.Exit(2)

    async def main() -> None:
        async with open_hub(settings) as hub:
            columns = (TextColumn("re-encrypting secrets"), BarColumn(), MofNCompleteColumn())
            with Progress(*columns, console=console, transient=True) as bar:
                task = bar.add_task("rotate", total=None)
                result = await rotate_secrets(
                    hub.uows,
                    hub.services.vault,
                    batch=batch,
                    progress=lambda done, total: bar.update(task, completed=done, total=total),
                )
        console.print(
            f"{result.rewritten} secret(s) re-encrypted with the first key, "
            f"{result.current} already under it ({result.looked_at} looked at).",
            markup=False,
        )
        if result.changed_meanwhile:
            console.print(
                f"{result.changed_meanwhile} changed while this ran: run it again.",
                style="yellow",
                markup=False,
            )
        for row in result.unreadable:
            console.print(
                f"{row}: no key opens it (add the key it was sealed with)",
                style="red",
                markup=False,
            )
        if not result.complete:
            raise typer.Exit(1)

    asyncio.run(main())


@app.command()
def sync(
    provider: Annotated[str, typer.Argument(help="The warehouse to pull from.")],
    full: Annotated[
        bool, typer.Option(help="Every product and stock row, not only changes.")
    ] = False,
    reconcile: Annotated[
        bool, typer.Option(help="A full pull that also reports the drift it repairs.")
    ] = False,
    tenant: Annotated[str | None, typer.Option(help="Tenant id (needed with several).")] = None,
    here: Annotated[
        bool, typer.Option(help="Run a worker in this process too (no hub running).")
    ] = False,
) -> None:
    """Pull from a warehouse now (changes only, unless --full) and follow its progress."""
    from tillsync.cli_progress import follow_pull
    from tillsync.providers import default_providers

    warehouses = [p.name for p in default_providers().with_role("warehouse")]
    if provider not in warehouses:
        raise typer.BadParameter(f"choose one of: {', '.join(warehouses)}")
    settings = _settings()
    mode = "reconcile" if reconcile else "full" if full else "quick"
    status = asyncio.run(
        follow_pull(settings, console, provider=provider, mode=mode, tenant=tenant, here=here)
    )
    if status != "success":
        raise typer.Exit(1)


@app.command()
def emulator(
    provider: Annotated[
        str | None, typer.Argument(help="Which provider (the first one listed if not given).")
    ] = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (0: any free one).")] = 0,
) -> None:
    """Run one provider emulator alone; its control surface is under /_emulator/."""
    from tillsync.providers import EMULATORS, emulator_app

    name = provider or next(iter(EMULATORS))
    if name not in EMULATORS:
        raise typer.BadParameter(f"choose one of: {', '.join(EMULATORS)}")
    _settings()

    async def main(stop: asyncio.Event) -> None:
        async with serving.serve(emulator_app(name), host=host, port=port) as url:
            typer.echo(url)  # the first line is the address, for scripts
            await stop.wait()

    run_until_signalled(main)


@app.command()
def sandbox(
    port: Annotated[int, typer.Option(help="Port of the hub.")] = 9999,
    state_dir: Annotated[Path, typer.Option(help="Where the sandbox keeps its files.")] = Path(
        ".tillsync-sandbox"
    ),
    simulate: Annotated[bool, typer.Option(help="Run a simulated day of trade.")] = False,
) -> None:
    """Run the hub and every provider emulator on loopback, with a demo business connected."""
    from tillsync.sandbox.runner import run_sandbox

    settings = _settings(
        port=port, data_dir=state_dir, host="127.0.0.1", log_level="WARNING", log_format="text"
    )
    try:
        run_until_signalled(
            lambda stop: run_sandbox(settings, state_dir=state_dir, simulate=simulate, stop=stop)
        )
    except PortInUse as exc:
        console.print(
            f"tillsync cannot start: {exc} (make demo PORT=…)", style="red", soft_wrap=True
        )
        raise typer.Exit(2) from None


def main() -> None:
    app()
