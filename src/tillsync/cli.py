"""The tillsync command line."""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from tillsync import serving
from tillsync.config import Settings
from tillsync.logs import configure_logging

app = typer.Typer(
    help="tillsync: keeps your POS and ordering apps in agreement with the systems around them.",
    no_args_is_help=True,
)
tenant_app = typer.Typer(help="Tenants (businesses) and their API keys.", no_args_is_help=True)
keys_app = typer.Typer(help="Encryption keys of the credential vault.", no_args_is_help=True)
jobs_app = typer.Typer(help="The job queue: look at jobs, retry failed ones.", no_args_is_help=True)
sync_app = typer.Typer(
    help="Pull from a provider now and follow its progress.", no_args_is_help=True
)
app.add_typer(tenant_app, name="tenant")
app.add_typer(sync_app, name="sync")
app.add_typer(keys_app, name="keys")
app.add_typer(jobs_app, name="jobs")
console = Console()


def _settings(**overrides: object) -> Settings:
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

    run_until_signalled(main)


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


@jobs_app.command("list")
def jobs_list(
    state: Annotated[str | None, typer.Option(help="Only jobs in this state.")] = None,
    kind: Annotated[str | None, typer.Option(help="Only jobs of this kind.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="At most this many.")] = 50,
) -> None:
    """List jobs of every tenant, newest first."""
    from rich.table import Table
    from rich.text import Text

    from tillsync.bootstrap import open_hub
    from tillsync.jobs.admin import JOB_STATES, list_jobs

    if state is not None and state not in JOB_STATES:
        choices = ", ".join(JOB_STATES)
        console.print(f"Unknown state '{state}': use one of {choices}.", style="red", markup=False)
        raise typer.Exit(1)
    settings = _settings()

    async def main() -> None:
        async with open_hub(settings) as hub:
            jobs = await list_jobs(hub.uows, state=state, kind=kind, limit=limit)
        # Month and day are enough: retention removes jobs long before a year is up.
        table = Table(box=None, pad_edge=False)
        table.add_column("id", no_wrap=True, min_width=8)
        table.add_column("kind", no_wrap=True)
        table.add_column("state", no_wrap=True, min_width=7)
        table.add_column("tries", no_wrap=True, justify="right")
        table.add_column("next", no_wrap=True, min_width=11)
        table.add_column("last error", overflow="fold", min_width=12)
        table.add_column("created", no_wrap=True, min_width=11)
        for job in jobs:
            due = job.state in ("pending", "retry")
            table.add_row(
                job.id[:8],
                Text(job.kind),
                job.state,
                str(job.attempts),
                _when(job.next_attempt_at) if due else "",
                Text(_trimmed(job.last_error)),
                _when(job.created_at),
            )
        console.print(table)
        console.print(f"{len(jobs)} job(s); times are UTC")

    asyncio.run(main())


@jobs_app.command("retry")
def jobs_retry(job_id: Annotated[str, typer.Argument(help="The job id or its prefix.")]) -> None:
    """Put a failed job back to pending, due now, with its attempts at zero."""
    from tillsync.bootstrap import open_hub
    from tillsync.errors import ClientError
    from tillsync.jobs.admin import retry_failed

    settings = _settings()

    async def main() -> None:
        async with open_hub(settings) as hub:
            try:
                retried = await retry_failed(hub.uows, job_id)
            except ClientError as exc:
                console.print(exc.message, style="red", markup=False)
                raise typer.Exit(1) from exc
        console.print(
            f"job {retried.id} ({retried.kind}) was failed after {retried.attempts_before} "
            "attempt(s); it is pending again with 0 attempts and a worker will take it now.",
            markup=False,
        )
        if retried.last_error:
            console.print(f"its last error was: {_trimmed(retried.last_error, 200)}", markup=False)

    asyncio.run(main())


@sync_app.command("cin7")
def sync_cin7(
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
    """Sync CIN7 now (changes only, unless --full) and follow the run with a progress bar."""
    from tillsync.cli_progress import follow_pull

    settings = _settings()
    mode = "reconcile" if reconcile else "full" if full else "quick"
    status = asyncio.run(
        follow_pull(settings, console, provider="cin7", mode=mode, tenant=tenant, here=here)
    )
    if status != "success":
        raise typer.Exit(1)


def _when(moment: dt.datetime) -> str:
    return moment.strftime("%m-%d %H:%M")


def _trimmed(text: str | None, width: int = 60) -> str:
    if not text:
        return ""
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"


@app.command()
def emulator(
    provider: Annotated[str, typer.Argument(help="Which provider: cin7 or crm.")] = "cin7",
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (0: any free one).")] = 0,
) -> None:
    """Run one provider emulator alone; its control surface is under /_emulator/."""
    from tillsync.emulators import EMULATORS

    if provider not in EMULATORS:
        raise typer.BadParameter(f"choose one of: {', '.join(sorted(EMULATORS))}")
    _settings()

    async def main(stop: asyncio.Event) -> None:
        async with serving.serve(EMULATORS[provider](), host=host, port=port) as url:
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
    run_until_signalled(
        lambda stop: run_sandbox(settings, state_dir=state_dir, simulate=simulate, stop=stop)
    )


def main() -> None:
    app()
