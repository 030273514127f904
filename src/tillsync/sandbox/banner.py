"""What the sandbox says when it is ready: where everything is, and what to try first."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from tillsync.sandbox.businesses import CAFE, RESTAURANT, Business
from tillsync.sandbox.manifest import manifest_path
from tillsync.store.database import shown_url

if TYPE_CHECKING:  # the runner imports this module to greet the user
    from tillsync.sandbox.runner import Sandbox

TOMB45 = (
    '{"sku": "TOMB45SHAVECBLCK", "name": "Tomb45 Shaving Cream", "quantity": 1, "price": 29.99}'
)
EXAMPLES = (
    (
        "/api/cin7/sale-sync",
        '{"action": "CHECK_INVENTORY", "sku": "TOMB45SHAVECBLCK", "quantity": 5}',
    ),
    (
        "/api/cin7/sale-sync",
        '{"action": "RECORD_SALE", "saleId": "TEST-001", "invoiceNumber": "INV-TEST-001",\n'
        f'       "items": [{TOMB45}]}}',
    ),
    (
        "/api/sales",
        '{"saleId": "POS-TEST-002", "customerId": "cust-1", "customerName": "Marcus Fade",\n'
        '       "currency": "USD", "paymentMethod": "card",\n'
        f'       "items": [{TOMB45}]}}',
    ),
)
"""The seed's examples: a stock check, a walk-in's sale, a regular's sale (invoiced)."""
CAFE_EXAMPLE = (
    "/api/cin7/sale-sync",
    '{"action": "CHECK_INVENTORY", "sku": "BAKE-CROISSANT", "quantity": 2}',
)
"""A stock check with the cafe's key: the hub answers from the stock Zoho holds."""


LABELS = {CAFE: "Cafe API key", RESTAURANT: "Restaurant API key"}


def welcome(sandbox: Sandbox, console: Console, *, state_dir: Path) -> None:
    url, key = sandbox.hub_url, sandbox.api_key
    settings = sandbox.hub.settings
    console.rule("[bold]tillsync sandbox")
    rows = Table.grid(padding=(0, 1))
    rows.add_column(no_wrap=True)
    rows.add_column(overflow="fold")
    rows.add_row("Dashboard", f"{url}/")
    rows.add_row("Hub API", f"{url}  (reference at {url}/docs)")
    for business in sandbox.businesses:
        label = "API key" if business.tenant_id == sandbox.tenant_id else LABELS[business.name]
        rows.add_row(label, f"{business.api_key}  ({_connected(business)})")
    rows.add_row("CIN7 emulator", f"{sandbox.cin7_url}  (account {sandbox.cin7_account_id})")
    rows.add_row("CRM emulator", f"{sandbox.crm_url}  (invoices at /_emulator/invoices)")
    if sandbox.dine is not None:
        rows.add_row("Dine emulator", f"{sandbox.dine.url}  (the cafe's online orders)")
    if sandbox.zoho is not None:
        organization = sandbox.zoho.organization.organization_id
        rows.add_row(
            "Zoho emulator", f"{sandbox.zoho.url}  (the cafe's stock, organization {organization})"
        )
    if sandbox.poster is not None:
        rows.add_row(
            "Poster emulator", f"{sandbox.poster.url}  (the restaurant's back office, records)"
        )
    rows.add_row("Database", shown_url(settings.resolved_database_url))
    rows.add_row("Details", str(manifest_path(state_dir)))
    if not settings.secret_keys:
        rows.add_row(
            "Secrets",
            "the providers' keys are stored encrypted with a development key made for this "
            f"sandbox ({settings.data_dir / 'secret.key'}). Good for trying things out; a real "
            "hub takes its keys from TILLSYNC_SECRET_KEYS (`tillsync keys generate`).",
        )
    console.print(rows)
    console.rule("Try it (from another terminal)")
    auth = f'-H "Authorization: Bearer {key}"'
    for path, body in EXAMPLES:
        _curl(console, f"{url}{path}", auth, body)
    cafe = sandbox.cafe
    if cafe is not None:
        console.print(f"# {cafe.name}: its stock is Zoho's", soft_wrap=True, markup=False)
        cafe_auth = f'-H "Authorization: Bearer {cafe.api_key}"'
        _curl(console, f"{url}{CAFE_EXAMPLE[0]}", cafe_auth, CAFE_EXAMPLE[1])
    console.print(f"curl {auth} {url}/api/alerts\n", soft_wrap=True, markup=False)
    console.print(f"curl -N {auth} {url}/api/events\n", soft_wrap=True, markup=False)
    console.print(
        f"tillsync jobs list --state-dir {state_dir}\ntillsync tenant list --state-dir {state_dir}",
        soft_wrap=True,
        markup=False,
    )
    console.rule("Press Ctrl+C to stop")


def _connected(business: Business) -> str:
    return f"{business.name}: {', '.join(business.providers)}"


def _curl(console: Console, url: str, auth: str, body: str) -> None:
    console.print(
        f"curl -X POST {url} \\\n  {auth} \\\n"
        f'  -H "Content-Type: application/json" \\\n'
        f"  -d '{body}'\n",
        soft_wrap=True,
        markup=False,
    )
