"""`tillsync tenant`: businesses and their API keys (shown once, when made; never listed)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from tillsync.cli_common import AsJson, StateDir, Verbose, console, print_json
from tillsync.cli_target import command_settings, on_hub

if TYPE_CHECKING:
    from tillsync.services.tenants import RevokedKeys

tenant_app = typer.Typer(help="Tenants (businesses) and their API keys.", no_args_is_help=True)
TenantRef = Annotated[str, typer.Argument(help="The tenant's id, or its start as listed.")]
KEEP_IT = "The key is shown only now: keep it somewhere safe."


@tenant_app.command("create")
def tenant_create(
    name: str,
    location: Annotated[str, typer.Option(help="Default stock location.")] = "Main Warehouse",
    state_dir: StateDir = None,
    verbose: Verbose = False,
) -> None:
    """Create a tenant and print its API key (shown once). Makes the database if needed."""
    from tillsync.services.tenants import create_tenant

    settings = command_settings(state_dir, verbose=verbose, existing=False)
    created = on_hub(
        settings, lambda uows: create_tenant(uows, name=name, default_location=location)
    )
    console.print(f"tenant  {created.tenant_id}  {created.name}", markup=False)
    console.print(f"api key {created.api_key}", markup=False)
    console.print(KEEP_IT, style="yellow")


@tenant_app.command("list")
def tenant_list(
    as_json: AsJson = False, state_dir: StateDir = None, verbose: Verbose = False
) -> None:
    """List every tenant: its id, name, working keys (counted, never shown), connections."""
    from rich.table import Table

    from tillsync.services.tenants import list_tenants

    tenants = on_hub(command_settings(state_dir, verbose=verbose), list_tenants)
    if as_json:
        print_json(
            [
                {
                    "id": t.id,
                    "name": t.name,
                    "default_location": t.default_location,
                    "created_at": t.created_at.isoformat(),
                    "active_keys": t.active_keys,
                    "connections": list(t.connections),
                }
                for t in tenants
            ]
        )
        return
    table = Table(box=None, pad_edge=False)
    table.add_column("id", no_wrap=True)
    for column in ("name", "keys", "connections", "created"):
        table.add_column(column, overflow="fold")
    for t in tenants:
        created = t.created_at.strftime("%Y-%m-%d")
        table.add_row(t.id, t.name, str(t.active_keys), ", ".join(t.connections), created)
    console.print(table)
    console.print(f"{len(tenants)} tenant(s)")


@tenant_app.command("rotate-key")
def tenant_rotate_key(
    tenant: TenantRef, state_dir: StateDir = None, verbose: Verbose = False
) -> None:
    """Give the tenant a new API key (printed once); every key it had stops working."""
    from tillsync.services.tenants import rotate_key

    settings = command_settings(state_dir, verbose=verbose)
    rotated = on_hub(settings, lambda uows: rotate_key(uows, tenant))
    _revoked(rotated, settings.key_trust_seconds)
    console.print(f"api key {rotated.new_key}", markup=False)
    console.print(KEEP_IT, style="yellow")


@tenant_app.command("revoke-key")
def tenant_revoke_key(
    tenant: TenantRef, state_dir: StateDir = None, verbose: Verbose = False
) -> None:
    """Revoke every API key of the tenant: its apps are refused until `rotate-key`."""
    from tillsync.services.tenants import revoke_keys

    settings = command_settings(state_dir, verbose=verbose)
    _revoked(on_hub(settings, lambda uows: revoke_keys(uows, tenant)), settings.key_trust_seconds)


def _revoked(changed: RevokedKeys, trust_seconds: float) -> None:
    console.print(
        f"{changed.name} ({changed.tenant_id}): {changed.revoked} key(s) revoked; a running "
        f"hub stops accepting them within {trust_seconds:g} seconds (its "
        "TILLSYNC_KEY_TRUST_SECONDS).",
        markup=False,
    )
