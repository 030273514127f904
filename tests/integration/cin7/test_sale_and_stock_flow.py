"""POS ↔ hub ↔ CIN7 over real HTTP: sales pushed once, warehouse changes flowing back live."""

from decimal import Decimal
from typing import Any

import httpx

from tests.support.sandboxes import adjust_stock
from tests.support.sse import listen
from tests.support.world import available, eventually, sales_with_external_id
from tillsync.sandbox.runner import Sandbox

SKU = "TOMB45SHAVECBLCK"


async def check(pos: httpx.AsyncClient, sku: str, quantity: int = 1) -> dict[str, Any]:
    body = {"action": "CHECK_INVENTORY", "sku": sku, "quantity": quantity}
    answer: dict[str, Any] = (await pos.post("/api/cin7/sale-sync", json=body)).json()
    return answer


async def test_a_sale_reaches_cin7_once_and_its_stock_drops_within_2s(
    sandbox: Sandbox, pos: httpx.AsyncClient, cin7: httpx.AsyncClient
) -> None:
    before = await available(cin7, SKU)
    gel_before = await available(cin7, "TOMB45-POWERGLIDE")
    sale = {
        "action": "RECORD_SALE",
        "saleId": "POS-12345",
        "invoiceNumber": "INV-2025-001",
        "customerName": "John Doe",
        "items": [
            {"sku": SKU, "name": "Tomb45 Shaving Cream", "quantity": 2, "price": 29.99, "tax": 2.7},
            {"sku": "TOMB45-POWERGLIDE", "quantity": 1, "price": 18.5},
        ],
    }
    answer = await pos.post("/api/cin7/sale-sync", json=sale)
    assert answer.status_code == 200
    assert answer.json()["syncStatus"] == "pending"

    async def dropped() -> bool:
        return await available(cin7, SKU) == before - 2

    await eventually(dropped, within=2.0)
    assert await available(cin7, "TOMB45-POWERGLIDE") == gel_before - 1
    assert len(await sales_with_external_id(cin7, "POS-12345")) == 1

    async def invoiced() -> bool:
        again = await pos.post("/api/cin7/sale-sync", json=sale)
        return bool(again.json()["syncStatus"] == "success")

    await eventually(invoiced, within=5.0)
    assert len(await sales_with_external_id(cin7, "POS-12345")) == 1

    async def reconciled() -> bool:
        # CIN7's report now includes the sale: the hub stops holding it as pending.
        answer = await check(pos, SKU)
        return answer["pending"] == 0 and answer["warehouseAvailable"] == before - 2

    await eventually(reconciled, within=5.0)
    assert (await check(pos, SKU))["currentStock"] == before - 2


async def test_a_warehouse_adjustment_reaches_checks_and_the_stream_within_1s(
    sandbox: Sandbox, pos: httpx.AsyncClient, cin7: httpx.AsyncClient
) -> None:
    async with listen(pos) as stream:
        await adjust_stock(cin7, SKU, 7)
        changed = await stream.next("stock.changed", timeout=1.0, where=lambda d: d["sku"] == SKU)
        assert Decimal(changed.data["available_to_sell"]) == 7
        assert (await check(pos, SKU))["currentStock"] == 7

        await adjust_stock(cin7, SKU, 0)
        raised = await stream.next(
            "alert.raised", timeout=1.0, where=lambda d: d["product_sku"] == SKU
        )
        assert raised.data["alert_type"] == "out_of_stock"
        assert (await check(pos, SKU))["available"] is False

        await adjust_stock(cin7, SKU, 40)
        resolved = await stream.next(
            "alert.resolved", timeout=1.0, where=lambda d: d["alert_type"] == "out_of_stock"
        )
        assert resolved.data["product_sku"] == SKU
    open_alerts = (await pos.get("/api/alerts")).json()["alerts"]
    assert SKU not in {a["product_sku"] for a in open_alerts}


async def test_the_seeded_catalog_is_in_the_ledger_with_its_alerts(
    sandbox: Sandbox, pos: httpx.AsyncClient
) -> None:
    assert (await check(pos, SKU))["currentStock"] == 24
    alerts = {
        a["product_sku"]: a["alert_type"] for a in (await pos.get("/api/alerts")).json()["alerts"]
    }
    assert alerts["BEARDBALM-CEDAR"] == "out_of_stock"
    assert alerts["REUZEL-FIBER"] == "low_stock"
    assert SKU not in alerts


async def test_a_restock_from_zero_resolves_the_out_of_stock_alert(
    sandbox: Sandbox, pos: httpx.AsyncClient, cin7: httpx.AsyncClient
) -> None:
    await adjust_stock(cin7, "BEARDBALM-CEDAR", 12)

    async def resolved() -> bool:
        alerts = (await pos.get("/api/alerts")).json()["alerts"]
        return "BEARDBALM-CEDAR" not in {a["product_sku"] for a in alerts}

    await eventually(resolved, within=2.0)
    assert (await check(pos, "BEARDBALM-CEDAR"))["currentStock"] == 12
