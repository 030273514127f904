"""The sandbox connects a CRM emulator too: the demo's customer sales become paid invoices.
It also runs a Dine emulator that no demo business is connected to."""

import io
import json
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console

from tests.support.secrets import remember
from tillsync.config import Settings
from tillsync.connectors.outbound import tls_context
from tillsync.sandbox import simulation
from tillsync.sandbox.follow import watching
from tillsync.sandbox.runner import Sandbox, open_sandbox
from tillsync.services.tenants import create_tenant

SKU = "TOMB45SHAVECBLCK"


async def test_the_demo_invoices_customer_sales_and_only_them_and_shows_where_each_ended(
    settings: Settings, tmp_path: Path
) -> None:
    live = settings.model_copy(update={"embedded_worker": True, "port": 0})
    async with open_sandbox(live, state_dir=tmp_path / "sandbox") as sandbox:
        manifest = json.loads((tmp_path / "sandbox" / "sandbox.json").read_text())
        assert manifest["emulators"]["crm"] == {
            "url": sandbox.crm_url,
            "api_key": sandbox.crm_api_key,
        }
        await _dine_is_offered_not_connected(sandbox, manifest)
        await _zoho_is_offered_not_connected(sandbox, manifest)
        printed = io.StringIO()
        console = Console(file=printed, width=200)
        async with watching(sandbox, console) as watcher:
            regular = simulation.CUSTOMERS[0]
            step = simulation.Step("sale", SKU, 1)
            assert await simulation.sell(watcher, step, sale_id="SIM-0001", customer=regular)
            assert await simulation.sell(watcher, step, sale_id="SIM-0002")
            assert await watcher.settled(within=60)
        [invoice] = sandbox.crm.invoices
        assert (invoice.reference, invoice.customer_name) == ("SIM-0001", regular[1])
        assert invoice.status == "paid"
        account = sandbox.cin7.account(sandbox.cin7_account_id)
        pushed = {sale.external_id: sale for sale in account.sales.values()}
        assert set(pushed) == {"SIM-0001", "SIM-0002"}
    shown = printed.getvalue()
    assert f"to {regular[1]} (SIM-0001)" in shown
    assert f"CRM   SIM-0001 invoiced: invoice {invoice.number}, paid" in shown
    assert "SIM-0002 invoiced" not in shown
    for reference, sale in pushed.items():
        assert f"CIN7  {reference} pushed: CIN7 sale {sale.id} ({sale.order_number}," in shown


async def _dine_is_offered_not_connected(sandbox: Sandbox, manifest: dict[str, Any]) -> None:
    dine = manifest["emulators"]["dine"]
    assert sandbox.dine is not None
    assert dine == {"url": sandbox.dine.url, "api_key": sandbox.dine.restaurant.api_key}
    async with httpx.AsyncClient(base_url=dine["url"] + "/") as client:
        answer = await client.get("restaurant", headers={"X-Api-Key": dine["api_key"]})
    assert answer.status_code == 200, answer.text
    headers = {"Authorization": f"Bearer {sandbox.api_key}"}
    async with httpx.AsyncClient(
        verify=tls_context(), base_url=sandbox.hub_url, headers=headers
    ) as hub:
        shown = (await hub.get("/api/connections/dine")).json()
        integration = (await hub.get(f"/api/v1/pos/integration/{sandbox.tenant_id}")).json()
    assert shown["connected"] is False
    assert integration["data"]["integration"]["provider"] == "square"
    cafe = await create_tenant(sandbox.hub.uows, name="Cafe")
    remember(cafe.api_key)
    body = {"business_id": cafe.tenant_id, "provider": "dine", "api_key": dine["api_key"]}
    async with httpx.AsyncClient(
        verify=tls_context(),
        base_url=sandbox.hub_url,
        headers={"Authorization": f"Bearer {cafe.api_key}"},
    ) as hub:
        connected = await hub.post("/api/v1/pos/connect", json=body)
    assert connected.status_code == 200, connected.text  # the hub knows where Dine is


async def _zoho_is_offered_not_connected(sandbox: Sandbox, manifest: dict[str, Any]) -> None:
    zoho = manifest["emulators"]["zoho"]
    assert sandbox.zoho is not None
    assert set(zoho) == {
        "url",
        "accounts_url",
        "client_id",
        "client_secret",
        "organization_id",
        "access_token",
    }
    assert zoho["url"] == zoho["accounts_url"] + "/inventory/v1"
    remember(zoho["client_secret"], zoho["access_token"])
    cafe = await create_tenant(sandbox.hub.uows, name="Zoho Cafe")
    remember(cafe.api_key)
    body = {"business_id": cafe.tenant_id, "provider": "zoho", "access_token": zoho["access_token"]}
    async with httpx.AsyncClient(
        verify=tls_context(),
        base_url=sandbox.hub_url,
        headers={"Authorization": f"Bearer {cafe.api_key}"},
    ) as hub:
        consent = await hub.get("/api/v1/pos/oauth/zoho/authorize")
        connected = await hub.post("/api/v1/pos/connect", json=body)
    assert consent.status_code == 302, consent.text  # the hub has the emulator's OAuth app
    assert consent.headers["location"].startswith(zoho["accounts_url"] + "/oauth/v2/auth?")
    assert connected.status_code == 200, connected.text  # the hub knows where Zoho is
    shown = connected.json()["data"]["integration"]
    remember(shown["webhook"]["secret"])
    assert sandbox.zoho.state.organization(zoho["organization_id"]).name == "Zoho Demo Cafe"
