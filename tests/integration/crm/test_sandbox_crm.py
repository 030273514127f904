"""The sandbox connects a CRM emulator too: the demo's customer sales become paid invoices."""

import io
import json
from pathlib import Path

from rich.console import Console

from tillsync.config import Settings
from tillsync.sandbox import simulation
from tillsync.sandbox.follow import watching
from tillsync.sandbox.runner import open_sandbox

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
