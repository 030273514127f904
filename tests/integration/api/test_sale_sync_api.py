"""POST /api/cin7/sale-sync over HTTP: the seed's actions, holds, and what clients get wrong."""

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.integration.api.conftest import SKU
from tests.support.hubs import RunningHub, TenantClient
from tillsync.store.tables import InventoryCheck, Reservation, Sale, StockLevel

SEED_SALE = {
    "action": "RECORD_SALE",
    "saleId": "TEST-001",
    "invoiceNumber": "INV-TEST-001",
    "items": [{"sku": SKU, "name": "Tomb45 Shaving Cream", "quantity": 1, "price": 29.99}],
}


async def _count(served: RunningHub, table: Any) -> int:
    await served.hub.checks.flush()  # check log lines are written in batches
    async with served.hub.uows.read() as session:
        return int(await session.scalar(select(func.count()).select_from(table)) or 0)


async def test_the_seed_curl_examples_work_with_a_key(shop: TenantClient) -> None:
    check = await shop.sale_sync({"action": "CHECK_INVENTORY", "sku": SKU, "quantity": 5})
    assert check.status_code == 200
    assert check.json()["available"] is True
    assert check.json()["currentStock"] == 10
    sale = await shop.sale_sync(SEED_SALE)
    assert sale.status_code == 200
    assert sale.json()["success"] is True
    assert sale.json()["saleId"] == "TEST-001"
    after = await shop.sale_sync({"action": "CHECK_INVENTORY", "sku": SKU, "quantity": 10})
    assert after.json()["available"] is False
    assert after.json()["message"] == "Insufficient stock (only 9 available, need 10)"


async def test_stock_checks_are_logged(shop: TenantClient, served: RunningHub) -> None:
    await shop.sale_sync({"action": "CHECK_INVENTORY", "sku": SKU, "quantity": 2})
    assert await _count(served, InventoryCheck) == 1


async def test_reserve_and_release(shop: TenantClient) -> None:
    held = await shop.sale_sync({"action": "RESERVE", "sku": SKU, "quantity": 4, "ttlSeconds": 60})
    assert held.status_code == 200
    body = held.json()
    assert body["reserved"] is True
    assert body["availableAfter"] == 6
    check = await shop.sale_sync({"action": "CHECK_INVENTORY", "sku": SKU, "quantity": 7})
    assert check.json()["available"] is False
    released = await shop.sale_sync({"action": "RELEASE", "reservationId": body["reservationId"]})
    assert released.json()["released"] is True
    check = await shop.sale_sync({"action": "CHECK_INVENTORY", "sku": SKU, "quantity": 10})
    assert check.json()["available"] is True


async def test_a_sale_beyond_stock_gets_the_seed_message(shop: TenantClient) -> None:
    sale = dict(SEED_SALE, items=[{"sku": SKU, "quantity": 11, "price": 29.99}])
    answer = await shop.sale_sync(sale)
    assert answer.status_code == 409
    assert answer.json()["message"] == "Insufficient stock (only 10 available, need 11)"
    assert answer.json()["field"] == "items[0].quantity"


async def test_fifty_concurrent_sales_never_oversell(
    shop: TenantClient, served: RunningHub
) -> None:
    async def sell(n: int) -> int:
        body = dict(SEED_SALE, saleId=f"RACE-{n}")
        return (await shop.sale_sync(body)).status_code

    statuses = await asyncio.gather(*(sell(n) for n in range(50)))
    assert statuses.count(200) == 10
    assert statuses.count(409) == 40
    async with served.hub.uows.read() as session:
        stock = await session.scalar(select(StockLevel).where(StockLevel.sku == SKU))
    assert stock is not None
    assert stock.warehouse_available - stock.pending - stock.reserved == 0
    assert await _count(served, Sale) == 10


async def test_fifty_concurrent_reservations_never_oversell(
    shop: TenantClient, served: RunningHub
) -> None:
    async def hold() -> int:
        body = {"action": "RESERVE", "sku": SKU, "quantity": 1}
        return (await shop.sale_sync(body)).status_code

    statuses = await asyncio.gather(*(hold() for _ in range(50)))
    assert statuses.count(200) == 10
    assert statuses.count(409) == 40
    assert await _count(served, Reservation) == 10
    check = await shop.sale_sync({"action": "CHECK_INVENTORY", "sku": SKU, "quantity": 1})
    assert check.json()["currentStock"] == 0


BAD_INPUT = [
    ({"action": "SELL", "sku": SKU, "quantity": 1}, 422, "action"),
    ({"sku": SKU, "quantity": 1}, 422, "action"),
    ({"action": "CHECK_INVENTORY", "quantity": 1}, 422, "sku"),
    ({"action": "CHECK_INVENTORY", "sku": "  ", "quantity": 1}, 422, "sku"),
    ({"action": "CHECK_INVENTORY", "sku": SKU}, 422, "quantity"),
    ({"action": "CHECK_INVENTORY", "sku": SKU, "quantity": 0}, 422, "quantity"),
    ({"action": "CHECK_INVENTORY", "sku": SKU, "quantity": -2}, 422, "quantity"),
    ({"action": "CHECK_INVENTORY", "sku": SKU, "quantity": 1.5}, 422, "quantity"),
    ({"action": "CHECK_INVENTORY", "sku": SKU, "quantity": "two"}, 422, "quantity"),
    ({"action": "CHECK_INVENTORY", "sku": SKU, "quantity": "2"}, 422, "quantity"),
    ({"action": "CHECK_INVENTORY", "sku": SKU, "quantity": True}, 422, "quantity"),
    ({"action": "CHECK_INVENTORY", "sku": "NO-SUCH-SKU", "quantity": 1}, 404, "sku"),
    ({"action": "RESERVE", "sku": SKU, "quantity": 1, "ttlSeconds": 0}, 422, "ttlSeconds"),
    ({"action": "RELEASE"}, 422, "reservationId"),
    ({"action": "RELEASE", "reservationId": "nope"}, 404, "reservationId"),
    (dict(SEED_SALE, saleId=""), 422, "saleId"),
    (dict(SEED_SALE, items=[]), 422, "items"),
    (dict(SEED_SALE, items=[{"sku": SKU, "quantity": 1}]), 422, "items[0].price"),
    (dict(SEED_SALE, items=[{"sku": SKU, "quantity": 1, "price": -1}]), 422, "items[0].price"),
    (dict(SEED_SALE, items=[{"sku": SKU, "quantity": -1, "price": 1}]), 422, "items[0].quantity"),
    (dict(SEED_SALE, items=[{"sku": SKU, "quantity": 0.5, "price": 1}]), 422, "items[0].quantity"),
    (dict(SEED_SALE, items=[{"sku": "GHOST", "quantity": 1, "price": 1}]), 404, "items[0].sku"),
    (dict(SEED_SALE, reservationIds=["missing"]), 404, "reservationIds[0]"),
    ([1, 2, 3], 422, "body"),
]


@pytest.mark.parametrize(("body", "status", "field"), BAD_INPUT)
async def test_bad_input_is_named_and_nothing_is_stored(
    shop: TenantClient, served: RunningHub, body: object, status: int, field: str
) -> None:
    answer = await shop.http.post("/api/cin7/sale-sync", json=body)
    assert answer.status_code == status, answer.text
    assert answer.json()["field"] == field
    assert answer.json()["message"]
    assert await _count(served, Sale) == 0
    assert await _count(served, Reservation) == 0
    assert await _count(served, InventoryCheck) == 0


async def test_malformed_json_is_a_400_naming_the_body(shop: TenantClient) -> None:
    answer = await shop.http.post(
        "/api/cin7/sale-sync",
        content=b'{"action": "CHECK_',
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 400
    assert answer.json()["field"] == "body"


async def test_a_body_over_one_mebibyte_is_refused(shop: TenantClient) -> None:
    huge = b'{"action": "CHECK_INVENTORY", "sku": "' + b"x" * (1024 * 1024) + b'"}'
    answer = await shop.http.post(
        "/api/cin7/sale-sync", content=huge, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 413
    assert answer.json()["field"] == "body"


async def test_a_streamed_body_over_the_limit_is_refused(shop: TenantClient) -> None:
    async def chunks() -> Any:
        for _ in range(20):
            yield b" " * (64 * 1024)

    answer = await shop.http.post(
        "/api/cin7/sale-sync", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 413


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer tsk_unknown"},
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer"},
    ],
)
async def test_missing_or_unknown_key_is_a_401(served: RunningHub, headers: dict[str, str]) -> None:
    import httpx

    async with httpx.AsyncClient(base_url=served.url) as anonymous:
        answer = await anonymous.post(
            "/api/cin7/sale-sync",
            json={"action": "CHECK_INVENTORY", "sku": SKU, "quantity": 1},
            headers=headers,
        )
        alerts = await anonymous.get("/api/alerts", headers=headers)
    assert answer.status_code == 401
    assert answer.json()["error"] == "not_authenticated"
    assert alerts.status_code == 401


async def test_a_tenant_never_sees_another_tenants_stock(
    shop: TenantClient, served: RunningHub
) -> None:
    async with served.tenant("Other Shop") as other:
        answer = await other.sale_sync({"action": "CHECK_INVENTORY", "sku": SKU, "quantity": 1})
        assert answer.status_code == 404
        held = await shop.sale_sync({"action": "RESERVE", "sku": SKU, "quantity": 1})
        steal = await other.sale_sync(
            {"action": "RELEASE", "reservationId": held.json()["reservationId"]}
        )
        assert steal.status_code == 404
