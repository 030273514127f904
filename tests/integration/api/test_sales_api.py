"""POST /api/sales (seed 003) over HTTP: the seed's answer, and what clients get wrong."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.integration.api.conftest import SKU
from tests.support.crm import Crm, connected_crm
from tests.support.hubs import RunningHub, TenantClient
from tillsync.store.tables import AuditEntry, Job, Reservation, Sale, SaleLine, StockLevel

GOOD_LINE = {"sku": SKU, "name": "Tomb45 Shaving Cream", "quantity": 1, "price": 29.99}
SALE: dict[str, Any] = {
    "saleId": "POS_1642878934567_abc123",
    "customerId": "cust-42",
    "customerName": "Marcus Fade",
    "currency": "USD",
    "paymentMethod": "card",
    "items": [GOOD_LINE],
}


@pytest.fixture
async def crm(served: RunningHub, shop: TenantClient) -> AsyncIterator[Crm]:
    """A connected CRM, so that a sale that got through would leave an invoice job behind."""
    async with connected_crm(served.hub, shop.tenant_id) as connected:
        yield connected


async def _count(served: RunningHub, table: Any) -> int:
    async with served.hub.uows.read() as session:
        return int(await session.scalar(select(func.count()).select_from(table)) or 0)


async def test_the_seed_answer_shape(shop: TenantClient, crm: Crm) -> None:
    answer = await shop.http.post("/api/sales", json=SALE)
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) >= {"success", "saleId", "message", "crmStatus", "inventoryStatus"}
    assert set(body["crmStatus"]) >= {
        "serviceAvailable",
        "invoiceCreated",
        "invoice_id",
        "invoice_number",
        "error",
    }
    assert set(body["inventoryStatus"]) >= {"serviceAvailable", "updatesSuccessful", "summary"}
    assert body["crmStatus"]["state"] == "queued"
    assert body["inventoryStatus"]["state"] == "local_only"  # no warehouse connected
    assert body["inventoryStatus"]["updatesSuccessful"] is True
    assert body["saleId"] == SALE["saleId"]
    assert "queued" in body["message"]


async def test_a_sale_without_a_sale_id_gets_one_in_the_seed_form(
    shop: TenantClient, served: RunningHub
) -> None:
    body = {"items": [GOOD_LINE]}
    first = (await shop.http.post("/api/sales", json=body)).json()
    second = (await shop.http.post("/api/sales", json=body)).json()
    assert first["saleId"].startswith("POS_")
    assert first["saleId"] != second["saleId"]
    assert await _count(served, Sale) == 2


BAD_INPUT = [
    (dict(SALE, items=[]), 422, "items"),
    ({k: v for k, v in SALE.items() if k != "items"}, 422, "items"),
    (dict(SALE, items=[dict(GOOD_LINE, sku="GHOST")]), 404, "items[0].sku"),
    (dict(SALE, items=[GOOD_LINE, dict(GOOD_LINE, sku="GHOST")]), 404, "items[1].sku"),
    (dict(SALE, items=[dict(GOOD_LINE, quantity=-1)]), 422, "items[0].quantity"),
    (dict(SALE, items=[dict(GOOD_LINE, quantity=0)]), 422, "items[0].quantity"),
    (dict(SALE, items=[dict(GOOD_LINE, quantity="2")]), 422, "items[0].quantity"),
    (dict(SALE, items=[dict(GOOD_LINE, price=-0.01)]), 422, "items[0].price"),
    (dict(SALE, items=[dict(GOOD_LINE, tax=-1)]), 422, "items[0].tax"),
    # Lines of one SKU are held together and named by the first of them.
    (dict(SALE, items=[GOOD_LINE, dict(GOOD_LINE, quantity=10)]), 409, "items[0].quantity"),
    ({k: v for k, v in SALE.items() if k != "customerName"}, 422, "customerName"),
    (dict(SALE, customerName="   "), 422, "customerName"),
    (dict(SALE, customerId=""), 422, "customerId"),
    (dict(SALE, currency="dollars"), 422, "currency"),
    (dict(SALE, paymentMethod=""), 422, "paymentMethod"),
    (dict(SALE, saleId=""), 422, "saleId"),
    ([SALE], 422, "body"),
]


@pytest.mark.usefixtures("crm")
@pytest.mark.parametrize(("body", "status", "field"), BAD_INPUT)
async def test_bad_input_is_named_and_nothing_is_stored(
    shop: TenantClient, served: RunningHub, body: object, status: int, field: str
) -> None:
    audits = await _count(served, AuditEntry)
    answer = await shop.http.post("/api/sales", json=body)
    assert answer.status_code == status, answer.text
    assert answer.json()["field"] == field
    assert answer.json()["message"]
    for table in (Sale, SaleLine, Job, Reservation):
        assert await _count(served, table) == 0, table.__name__
    assert await _count(served, AuditEntry) == audits
    async with served.hub.uows.read() as session:
        pending = await session.scalar(select(func.sum(StockLevel.pending)))
    assert not pending


async def test_an_unknown_sale_is_not_found(shop: TenantClient) -> None:
    answer = await shop.http.get("/api/sales/NOPE")
    assert answer.status_code == 404
    assert answer.json()["field"] == "sale_id"


async def test_another_tenant_cannot_see_the_sale(
    shop: TenantClient, served: RunningHub, crm: Crm
) -> None:
    assert (await shop.http.post("/api/sales", json=SALE)).status_code == 200
    async with served.tenant("Other Shop") as other:
        answer = await other.http.get(f"/api/sales/{SALE['saleId']}")
    assert answer.status_code == 404
