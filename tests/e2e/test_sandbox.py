"""`tillsync sandbox` as a user runs it: a separate process, its manifest, the seed's examples."""

import asyncio
import re
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.sandbox import sandbox_environment, wait_for_manifest
from tillsync.config import Settings
from tillsync.serving import free_port

pytestmark = pytest.mark.e2e
SEED_SALE = {
    "action": "RECORD_SALE",
    "saleId": "TEST-001",
    "invoiceNumber": "INV-TEST-001",
    "items": [
        {"sku": "TOMB45SHAVECBLCK", "name": "Tomb45 Shaving Cream", "quantity": 1, "price": 29.99}
    ],
}


CAFE_SALE = {
    "action": "RECORD_SALE",
    "saleId": "CAFE-TEST-001",
    "items": [{"sku": "BAKE-CROISSANT", "name": "Butter Croissant", "quantity": 2, "price": 3.2}],
}


async def _manifest(state_dir: Path, process: asyncio.subprocess.Process) -> dict[str, Any]:
    return await asyncio.to_thread(wait_for_manifest, state_dir, exited=lambda: process.returncode)


@pytest.fixture
async def sandbox_process(
    settings: Settings, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[tuple[asyncio.subprocess.Process, Path]]:
    state_dir = tmp_path / "state"
    postgres = settings.database_url.startswith("postgresql")
    # On SQLite the sandbox's own file, as a user gets it.
    env = sandbox_environment(settings.database_url if postgres else None)
    args = ["--port", str(free_port()), "--state-dir", str(state_dir)]
    args += getattr(request, "param", [])
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tillsync",
        "sandbox",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        yield process, state_dir
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_the_sandbox_serves_the_seed_examples_and_stops_cleanly(
    sandbox_process: tuple[asyncio.subprocess.Process, Path],
) -> None:
    process, state_dir = sandbox_process
    manifest = await _manifest(state_dir, process)
    assert set(manifest) == {
        "hub_url",
        "api_key",
        "tenant_id",
        "database_url",
        "data_dir",
        "emulators",
        "businesses",
    }
    assert manifest["data_dir"] == str(state_dir.resolve())
    barbershop, cafe, restaurant = manifest["businesses"]
    assert barbershop == {
        "name": "BookBarber Demo Barbershop",
        "tenant_id": manifest["tenant_id"],
        "api_key": manifest["api_key"],
        "providers": ["cin7", "crm", "square"],
    }
    assert set(cafe) == {"name", "tenant_id", "api_key", "providers"}
    assert cafe["providers"] == ["dine", "zoho"]
    assert cafe["api_key"].startswith("tsk_")
    assert cafe["tenant_id"] != barbershop["tenant_id"]
    assert (restaurant["name"], restaurant["providers"]) == ("Kava Demo Bistro", ["poster"])
    assert set(manifest["emulators"]["cin7"]) == {"url", "account_id", "application_key"}
    assert set(manifest["emulators"]["poster"]) == {
        "url",
        "account",
        "access_token",
        "application_id",
        "application_secret",
    }
    headers = {"Authorization": f"Bearer {manifest['api_key']}"}
    async with httpx.AsyncClient(base_url=manifest["hub_url"], headers=headers) as hub:
        check = await hub.post(
            "/api/cin7/sale-sync",
            json={"action": "CHECK_INVENTORY", "sku": "TOMB45SHAVECBLCK", "quantity": 5},
        )
        assert check.json()["available"] is True
        sale = await hub.post(
            "/api/cin7/sale-sync",
            json={
                "action": "RECORD_SALE",
                "saleId": "TEST-001",
                "invoiceNumber": "INV-TEST-001",
                "items": [
                    {
                        "sku": "TOMB45SHAVECBLCK",
                        "name": "Tomb45 Shaving Cream",
                        "quantity": 1,
                        "price": 29.99,
                    }
                ],
            },
        )
        assert sale.json()["success"] is True
        assert (await hub.get("/api/cin7/webhook")).json()["status"] == "ok"
    cin7 = manifest["emulators"]["cin7"]
    cin7_headers = {
        "api-auth-accountid": cin7["account_id"],
        "api-auth-applicationkey": cin7["application_key"],
    }
    async with httpx.AsyncClient(base_url=cin7["url"], headers=cin7_headers) as warehouse:
        async with asyncio.timeout(10):
            while not (await warehouse.get("/saleList", params={"ExternalID": "TEST-001"})).json()[
                "SaleList"
            ]:
                await asyncio.sleep(0.1)
    await _the_cafe_sells_from_zoho_and_orders_through_dine(manifest, cafe)
    process.send_signal(signal.SIGTERM)
    async with asyncio.timeout(20):
        assert await process.wait() == 0


async def _the_cafe_sells_from_zoho_and_orders_through_dine(
    manifest: dict[str, Any], cafe: dict[str, Any]
) -> None:
    """With the cafe's key: a stock check answered from Zoho's figures, a sale that becomes a
    Zoho sales order, an online order that reaches Dine once."""
    headers = {"Authorization": f"Bearer {cafe['api_key']}"}
    order = {
        "business_id": cafe["tenant_id"],
        "order_id": "CAFE-WEB-TEST",
        "currency": "USD",
        "items": [{"dish_id": "dish-latte", "name": "Latte", "quantity": 1, "unit_price": 4.2}],
    }
    async with httpx.AsyncClient(base_url=manifest["hub_url"], headers=headers) as hub:
        check = await hub.post(
            "/api/cin7/sale-sync",
            json={"action": "CHECK_INVENTORY", "sku": "BAKE-CROISSANT", "quantity": 30},
        )
        assert (check.json()["available"], check.json()["currentStock"]) == (False, 24)
        sale = await hub.post("/api/cin7/sale-sync", json=CAFE_SALE)
        assert sale.json()["success"] is True, sale.text
        placed = await hub.post("/api/v1/orders", json=order)
        assert placed.status_code == 201, placed.text
    zoho = manifest["emulators"]["zoho"]
    zoho_auth = {"Authorization": f"Zoho-oauthtoken {zoho['access_token']}"}
    query = {"organization_id": zoho["organization_id"], "reference_number": "CAFE-TEST-001"}
    dine = manifest["emulators"]["dine"]
    async with (
        httpx.AsyncClient(base_url=zoho["url"], headers=zoho_auth) as stock,
        httpx.AsyncClient(base_url=dine["url"], headers={"X-Api-Key": dine["api_key"]}) as pos,
        asyncio.timeout(20),
    ):
        while not (made := (await stock.get("/salesorders", params=query)).json()["salesorders"]):
            await asyncio.sleep(0.2)
        reference = {"reference": "CAFE-WEB-TEST"}
        while not (orders := (await pos.get("/orders", params=reference)).json()["orders"]):
            await asyncio.sleep(0.2)
    assert [so["reference_number"] for so in made] == ["CAFE-TEST-001"]
    assert len(orders) == 1


async def _read_until(
    process: asyncio.subprocess.Process, seen: list[str], text: str, *, within: float
) -> None:
    assert process.stdout is not None
    async with asyncio.timeout(within):
        while not seen or text not in seen[-1]:
            line = await process.stdout.readline()
            assert line, "the sandbox stopped printing: " + "".join(seen)
            seen.append(line.decode())


@pytest.mark.long(90)
@pytest.mark.timeout(400)
@pytest.mark.parametrize("sandbox_process", [["--simulate", "--pace", "0.5"]], indirect=True)
async def test_the_simulated_day_follows_each_sale_to_its_end_and_sums_up(
    sandbox_process: tuple[asyncio.subprocess.Process, Path],
) -> None:
    process, state_dir = sandbox_process
    seen: list[str] = []
    await _read_until(process, seen, "A simulated day of trade", within=90)
    manifest = await _manifest(state_dir, process)
    headers = {"Authorization": f"Bearer {manifest['api_key']}"}
    async with httpx.AsyncClient(base_url=manifest["hub_url"], headers=headers) as hub:
        pasted = await hub.post("/api/cin7/sale-sync", json=SEED_SALE)  # the banner's curl
        assert pasted.json()["success"] is True
    await _read_until(process, seen, "The day in numbers", within=300)
    await _read_until(process, seen, "oversold", within=30)
    printed = "".join(seen)
    pushed = dict(re.findall(r"CIN7  (\S+) pushed: CIN7 sale ([0-9a-f-]{36})", printed))
    await _each_held_by_cin7(manifest, pushed)
    in_square = dict(re.findall(r"SQUARE order (WEB-\d+) in Square: order (\S+)", printed))
    await _each_once_in_square(manifest, in_square)
    in_zoho = dict(re.findall(r"ZOHO  (CAFE-\d+) pushed: Zoho sales order (\d+)", printed))
    in_dine = dict(re.findall(r"DINE  order (CAFE-WEB-\d+) in Dine: order (\S+)", printed))
    await _each_held_by_zoho_and_dine(manifest, in_zoho, in_dine)
    process.send_signal(signal.SIGINT)
    async with asyncio.timeout(20):
        rest, _ = await process.communicate()
    assert process.returncode == 0
    printed += rest.decode()

    # The banner: the dashboard's address, the development key told once, in plain words.
    assert re.search(rf"Dashboard +{re.escape(manifest['hub_url'])}/\s", printed)
    assert "Authorization: Bearer tsk_" in printed
    assert printed.count("development key") == 1
    assert "WARNING" not in printed
    # A sale from outside the simulation is noticed and followed like the others.
    assert "API   TEST-001 arrived from outside the simulation: 1 × Tomb45 Shaving Cream" in printed
    assert "TEST-001" in pushed
    # The fault: a retry is scheduled while it is on, and the sale reaches CIN7 after it.
    assert "emulator fault on" in printed
    assert "emulator fault off" in printed
    [retried] = re.findall(r"CIN7  (SIM-\d+): .*500.*, retry at", printed)
    assert re.search(rf"CIN7  {retried} pushed: CIN7 sale \S+ after 1 retry", printed)
    # Invoices are numbered by the CRM.
    assert re.search(r"CRM   SIM-\d+ invoiced: invoice \S+, paid", printed)
    # The summary adds up what was printed.
    sales = int(re.findall(r"sales +(\d+) recorded", printed)[0])
    assert sales == len(pushed)
    assert f"pushed     {sales}/{sales} to CIN7 (1 after a retry)" in printed
    invoiced, wanted = re.findall(r"invoices +(\d+)/(\d+) paid in the CRM", printed)[0]
    assert invoiced == wanted != "0"
    raised, resolved = map(int, re.findall(r"alerts +(\d+) raised, (\d+) resolved", printed)[0])
    assert raised >= 2  # a shelf counted empty, a beard oil sold out
    assert resolved >= 1  # a delivery
    assert "oversold   0\n" in printed
    # Online orders: printed as placed, each in Square with its order id, summed up.
    placed = re.findall(r"WEB   order (WEB-\d+) placed online: ", printed)
    assert len(placed) == 3
    assert set(in_square) == set(placed)
    assert "WEB   order WEB-0002 placed online: 1 × Daily Shampoo" in printed
    assert "orders     3 online, in Square 3/3\n" in printed
    # The cafe trades beside it: counter sales pushed to Zoho, online orders in Dine.
    sold = re.findall(r"CAFE  sold \d+ × [^(]+\((CAFE-\d+)\)", printed)
    assert sold
    assert set(in_zoho) == set(sold)
    assert "CAFE  Cinnamon Bun: " in printed  # two were left: a sale of three is refused
    assert "ZOHO  bakery delivery keyed in: Cinnamon Bun now 14" in printed
    assert len(in_dine) == 2
    cafe = printed[printed.index("\nDaily Grind Demo Cafe\n") :]
    assert f"sales      {len(sold)} recorded, " in cafe
    assert f"pushed     {len(sold)}/{len(sold)} to Zoho\n" in cafe
    assert "orders     2 online, in Dine 2/2\n" in cafe
    # The restaurant's manager changes its back office at Poster; the records follow by hook.
    assert "POSTER the manager adds the ingredient Oat milk" in printed
    assert re.search(r"POSTER Oat milk is in tillsync's ingredients \(\d+ ms\)", printed)
    assert re.search(r"POSTER Terrace bar is in tillsync's storages \(\d+ ms\)", printed)


async def _each_held_by_cin7(manifest: dict[str, Any], pushed: dict[str, str]) -> None:
    """Every CIN7 sale id printed is one CIN7 holds, for the sale printed with it.

    Read with an API application of the test's own: the hub's used its budget today.
    """
    cin7 = manifest["emulators"]["cin7"]
    control = cin7["url"].removesuffix("/ExternalApi/v2") + "/_emulator"
    async with httpx.AsyncClient() as client:
        key = await client.post(f"{control}/accounts/{cin7['account_id']}/keys")
    auth = {
        "api-auth-accountid": cin7["account_id"],
        "api-auth-applicationkey": key.json()["application_key"],
    }
    async with httpx.AsyncClient(base_url=cin7["url"], headers=auth) as warehouse:
        for reference, sale_id in pushed.items():
            document = (await warehouse.get("/sale", params={"ID": sale_id})).json()
            assert document["ID"] == sale_id
            assert re.search(rf"\b{re.escape(reference)}\b", document["Note"])  # ours, named


async def _each_held_by_zoho_and_dine(
    manifest: dict[str, Any], in_zoho: dict[str, str], in_dine: dict[str, str]
) -> None:
    """Every Zoho sales order printed holds the cafe's sale printed with it, confirmed (read
    with the organization's token: the hub's calls are its own); every Dine order id printed
    is the one order Dine holds with our reference."""
    zoho, dine = manifest["emulators"]["zoho"], manifest["emulators"]["dine"]
    auth = {"Authorization": f"Zoho-oauthtoken {zoho['access_token']}"}
    organization = {"organization_id": zoho["organization_id"]}
    async with httpx.AsyncClient(base_url=zoho["url"], headers=auth) as stock:
        for reference, salesorder_id in in_zoho.items():
            answer = await stock.get(f"/salesorders/{salesorder_id}", params=organization)
            made = answer.json()["salesorder"]
            assert made["status"] == "confirmed"
            named = made["reference_number"] == reference  # or in a batch, named in its note
            assert named or re.search(rf"\b{re.escape(reference)}\b", made["notes"]), made
    async with httpx.AsyncClient(
        base_url=dine["url"], headers={"X-Api-Key": dine["api_key"]}
    ) as pos:
        for reference, order_id in in_dine.items():
            orders = (await pos.get("/orders", params={"reference": reference})).json()["orders"]
            assert [order["id"] for order in orders] == [order_id], reference


async def _each_once_in_square(manifest: dict[str, Any], in_square: dict[str, str]) -> None:
    """Every Square order id printed is the one order Square holds with our reference."""
    square = manifest["emulators"]["square"]
    headers = {"Authorization": f"Bearer {square['access_token']}"}
    body = {"location_ids": [square["location_id"]], "limit": 500}
    async with httpx.AsyncClient(base_url=square["url"], headers=headers) as pos:
        answer = await pos.post("/v2/orders/search", json=body)
    orders = answer.json().get("orders", [])
    assert "cursor" not in answer.json()
    for reference, order_id in in_square.items():
        held = [order["id"] for order in orders if order.get("reference_id") == reference]
        assert held == [order_id], reference
