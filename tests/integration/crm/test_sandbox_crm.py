"""The sandbox connects a CRM emulator too: the demo's customer sales become paid invoices.
Beside the barbershop, its cafe sells against the stock Zoho Inventory holds and takes
online orders to Dine, and its restaurant's Poster back office is kept as records; other
businesses can still connect both emulators."""

import asyncio
import io
import json
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console

from tests.support.secrets import remember
from tillsync.config import Settings
from tillsync.connectors.outbound import tls_context
from tillsync.sandbox import cafe as cafe_day
from tillsync.sandbox import simulation
from tillsync.sandbox.businesses import BARBERSHOP, CAFE
from tillsync.sandbox.follow import watching
from tillsync.sandbox.online import order_online
from tillsync.sandbox.poster import manage_restaurant
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
        await _dine_is_offered_to_other_businesses(sandbox, manifest)
        await _zoho_is_offered_to_other_businesses(sandbox, manifest)
        printed = io.StringIO()
        console = Console(file=printed, width=200)
        await _the_cafe_sells_zoho_stock_and_orders_through_dine(sandbox, manifest, printed)
        await _the_restaurants_poster_back_office_is_kept_as_records(sandbox, manifest, console)
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


async def _the_cafe_sells_zoho_stock_and_orders_through_dine(
    sandbox: Sandbox, manifest: dict[str, Any], printed: io.StringIO
) -> None:
    """The manifest names both businesses; the cafe's stock is in the ledger before it is
    written; a counter sale becomes one confirmed Zoho sales order, an online order one Dine
    order."""
    barbershop, cafe, restaurant = manifest["businesses"]
    assert restaurant["providers"] == ["poster"]
    assert barbershop == {
        "name": BARBERSHOP,
        "tenant_id": manifest["tenant_id"],
        "api_key": manifest["api_key"],
        "providers": ["cin7", "crm", "square"],
    }
    assert set(cafe) == {"name", "tenant_id", "api_key", "providers"}
    assert (cafe["name"], cafe["providers"]) == (CAFE, ["dine", "zoho"])
    assert cafe["tenant_id"] != barbershop["tenant_id"]
    remember(cafe["api_key"])
    business = sandbox.cafe
    assert business is not None
    assert business.manifest() == cafe
    console = Console(file=printed, width=200)
    async with cafe_day.watching_cafe(sandbox, business, console) as watcher:
        body = {"action": "CHECK_INVENTORY", "sku": "BAKE-CROISSANT", "quantity": 30}
        check = (await watcher.pos.post("/api/cin7/sale-sync", json=body)).json()
        assert (check["available"], check["currentStock"]) == (False, 24), check
        step = simulation.Step("sale", "BAKE-CROISSANT", 2)
        assert await simulation.sell(watcher, step, sale_id="CAFE-T1", items=cafe_day.ITEMS)
        await order_online(
            watcher, business_id=cafe["tenant_id"], order_id="CAFE-WEB-T1", lines=cafe_day.ORDERS[0]
        )
        assert await watcher.settled(within=60)
    assert sandbox.zoho is not None
    assert sandbox.dine is not None
    organization = sandbox.zoho.state.organization(sandbox.zoho.organization.organization_id)
    async with asyncio.timeout(30):  # the order's sale is pushed on its own, not followed
        while len(organization.salesorders) < 2:
            await asyncio.sleep(0.1)
    made = {order["reference_number"]: order for order in organization.salesorders.values()}
    assert set(made) == {"CAFE-T1", "CAFE-WEB-T1"}  # the online order's bakes are sold too
    assert made["CAFE-T1"]["status"] == "confirmed"
    [in_dine] = sandbox.dine.restaurant.book.by_reference("CAFE-WEB-T1")
    shown = printed.getvalue()
    assert "CAFE  sold 2 × Butter Croissant (CAFE-T1)" in shown
    pushed = made["CAFE-T1"]
    assert (
        f"ZOHO  CAFE-T1 pushed: Zoho sales order {pushed['salesorder_id']} "
        f"({pushed['salesorder_number']}, confirmed)"
    ) in shown
    assert f"DINE  order CAFE-WEB-T1 in Dine: order {in_dine['id']}" in shown


async def _dine_is_offered_to_other_businesses(sandbox: Sandbox, manifest: dict[str, Any]) -> None:
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
    assert shown["connected"] is False  # the barbershop's orders go to Square only
    assert integration["data"]["integration"]["provider"] == "square"
    other = await create_tenant(sandbox.hub.uows, name="Cafe")
    remember(other.api_key)
    body = {"business_id": other.tenant_id, "provider": "dine", "api_key": dine["api_key"]}
    async with httpx.AsyncClient(
        verify=tls_context(),
        base_url=sandbox.hub_url,
        headers={"Authorization": f"Bearer {other.api_key}"},
    ) as hub:
        connected = await hub.post("/api/v1/pos/connect", json=body)
    assert connected.status_code == 200, connected.text  # the hub knows where Dine is


async def _zoho_is_offered_to_other_businesses(sandbox: Sandbox, manifest: dict[str, Any]) -> None:
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
    other = await create_tenant(sandbox.hub.uows, name="Zoho Cafe")
    remember(other.api_key)
    body = {
        "business_id": other.tenant_id,
        "provider": "zoho",
        "access_token": zoho["access_token"],
    }
    async with httpx.AsyncClient(
        verify=tls_context(),
        base_url=sandbox.hub_url,
        headers={"Authorization": f"Bearer {other.api_key}"},
    ) as hub:
        consent = await hub.get("/api/v1/pos/oauth/zoho/authorize")
        connected = await hub.post("/api/v1/pos/connect", json=body)
    assert consent.status_code == 302, consent.text  # the hub has the emulator's OAuth app
    assert consent.headers["location"].startswith(zoho["accounts_url"] + "/oauth/v2/auth?")
    assert connected.status_code == 200, connected.text  # the hub knows where Zoho is
    shown = connected.json()["data"]["integration"]
    remember(shown["webhook"]["secret"])
    assert sandbox.zoho.state.organization(zoho["organization_id"]).name == CAFE


async def _the_restaurants_poster_back_office_is_kept_as_records(
    sandbox: Sandbox, manifest: dict[str, Any], console: Console
) -> None:
    """Every entity synced before the manifest is written; the manager's changes at Poster
    reach the records by webhook."""
    restaurant = sandbox.restaurant
    assert restaurant is not None
    assert sandbox.poster is not None
    remember(restaurant.api_key)
    headers = {"Authorization": f"Bearer {restaurant.api_key}"}
    async with httpx.AsyncClient(base_url=sandbox.hub_url, headers=headers) as app:
        status = (await app.get("/api/poster/sync")).json()["status"]
        assert {entity: shown["needsSync"] for entity, shown in status.items()} == dict.fromkeys(
            ("suppliers", "ingredients", "storages", "categories"), False
        )
        await manage_restaurant(
            sandbox.hub, sandbox.poster, restaurant, console, stop=asyncio.Event(), pace=0
        )
        found = await app.get(
            "/api/connections/poster/records/ingredients", params={"search": "oat"}
        )
        assert [r["name"] for r in found.json()["records"]] == ["Oat milk"]
        storages = await app.get("/api/connections/poster/records/storages/2")
        assert storages.json()["name"] == "Terrace bar"
    assert manifest["emulators"]["poster"]["account"] == "demo-bistro"
