"""`tillsync keys`: the encryption keys of the credential vault."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from tillsync.cli_common import StateDir, Verbose, command_logging, console, fail
from tillsync.cli_target import announce_database, plain_settings

keys_app = typer.Typer(help="Encryption keys of the credential vault.", no_args_is_help=True)


@keys_app.command("generate")
def keys_generate() -> None:
    """Print a new random key for TILLSYNC_SECRET_KEYS."""
    from tillsync.vault import generate_key

    typer.echo(generate_key())


@keys_app.command("rotate")
def keys_rotate(
    batch: Annotated[int, typer.Option(min=1, max=1000, help="Rows per transaction.")] = 50,
    state_dir: StateDir = None,
    verbose: Verbose = False,
) -> None:
    """Re-encrypt every stored secret with the first key of TILLSYNC_SECRET_KEYS.

    The hub may keep running. Put the new key first and keep every older key after it, in
    this command's settings and in every hub process (each must know the new key before
    this runs); remove an old key only once this reports nothing left under it.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from tillsync.bootstrap import open_hub
    from tillsync.services.rotation import rotate_secrets

    command_logging(verbose=verbose)
    settings = plain_settings(state_dir)
    if not settings.secret_keys:
        fail(
            "Set TILLSYNC_SECRET_KEYS: the new key first, then every key still in use "
            f"(a development key is in {settings.data_dir / 'secret.key'}).",
            code=2,
        )
    announce_database(settings, state_dir, existing=True)

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
