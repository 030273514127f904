"""The sandbox connects a CRM emulator too: the demo's customer sales become paid invoices."""

import io
import json
from pathlib import Path

import httpx
from rich.console import Console

from tests.support.world import eventually
from tillsync.config import Settings
from tillsync.sandbox import simulation
from tillsync.sandbox.runner import open_sandbox

SKU = "TOMB45SHAVECBLCK"


async def test_the_demo_invoices_customer_sales_and_only_them(
    settings: Settings, tmp_path: Path
) -> None:
    live = settings.model_copy(update={"embedded_worker": True, "port": 0})
    async with open_sandbox(live, state_dir=tmp_path / "sandbox") as sandbox:
        manifest = json.loads((tmp_path / "sandbox" / "sandbox.json").read_text())
        assert manifest["emulators"]["crm"] == {
            "url": sandbox.crm_url,
            "api_key": sandbox.crm_api_key,
        }
        printed = io.StringIO()
        console = Console(file=printed, width=200)
        headers = {"Authorization": f"Bearer {sandbox.api_key}"}
        async with httpx.AsyncClient(base_url=sandbox.hub_url, headers=headers) as pos:
            regular = simulation.CUSTOMERS[0]
            step = simulation.Step("sale", SKU, 1)
            await simulation._sell(pos, console, step, sale_id="SIM-0001", customer=regular)
            await simulation._sell(pos, console, step, sale_id="SIM-0002")

            async def both_delivered() -> bool:
                invoiced = (await pos.get("/api/sales/SIM-0001")).json()["crmStatus"]
                pushed = (await pos.get("/api/sales/SIM-0002")).json()["inventoryStatus"]
                return bool(invoiced["invoiceCreated"]) and pushed["state"] == "pushed"

            await eventually(both_delivered, within=20)
        [invoice] = sandbox.crm.invoices
        assert (invoice.reference, invoice.customer_name) == ("SIM-0001", regular[1])
        assert invoice.status == "paid"
        assert f"to {regular[1]} (SIM-0001)" in printed.getvalue()
        assert "CRM invoice: queued" in printed.getvalue()
