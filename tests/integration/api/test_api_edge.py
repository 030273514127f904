"""The API's edge: out-of-range numbers, NUL characters, deep bodies and keys, never a 500."""

import json
from typing import Any

import httpx
import pytest

from tests.integration.api.conftest import SKU
from tests.support.hubs import RunningHub, TenantClient
from tests.support.ledger import seed_stock

LINE = {"sku": SKU, "quantity": 1, "price": 29.99}
CHECK = {"action": "CHECK_INVENTORY", "sku": SKU, "quantity": 1}
RESERVE = {"action": "RESERVE", "sku": SKU, "quantity": 1}
RECORD = {"action": "RECORD_SALE", "saleId": "S-1", "items": [LINE]}
SALE = {"saleId": "POS-1", "items": [LINE]}
SALE_SYNC, SALES = "/api/cin7/sale-sync", "/api/sales"


def _with(body: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**body, **changes}


def _line(**changes: Any) -> list[dict[str, Any]]:
    return [{**LINE, **changes}]


HUGE = [10**24, 1e308]
NUMBER_FIELDS = [
    (SALE_SYNC, lambda n: _with(CHECK, quantity=n), "quantity"),
    (SALE_SYNC, lambda n: _with(RESERVE, quantity=n), "quantity"),
    (SALE_SYNC, lambda n: _with(RECORD, items=_line(quantity=n)), "items[0].quantity"),
    (SALE_SYNC, lambda n: _with(RECORD, items=_line(price=n)), "items[0].price"),
    (SALE_SYNC, lambda n: _with(RECORD, items=_line(tax=n)), "items[0].tax"),
    (SALES, lambda n: _with(SALE, items=_line(quantity=n)), "items[0].quantity"),
    (SALES, lambda n: _with(SALE, items=_line(price=n)), "items[0].price"),
    (SALES, lambda n: _with(SALE, items=_line(tax=n)), "items[0].tax"),
]


@pytest.mark.parametrize("number", HUGE, ids=str)
@pytest.mark.parametrize(("path", "body", "field"), NUMBER_FIELDS)
async def test_numbers_out_of_range_are_refused_naming_the_field(
    shop: TenantClient, path: str, body: Any, field: str, number: float
) -> None:
    answer = await shop.http.post(path, content=json.dumps(body(number)), headers=_JSON)
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == field
    # The connection lives on: the next request on it is served.
    assert (await shop.sale_sync(CHECK)).status_code == 200


_JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize("path", [SALE_SYNC, SALES])
async def test_a_sale_total_beyond_what_is_kept_is_refused_naming_the_items(
    shop: TenantClient, served: RunningHub, path: str
) -> None:
    await seed_stock(served.hub, shop.tenant_id, "BULK", 20_000_000)
    lines = [{"sku": "BULK", "quantity": 1_000_000, "price": 100_000_000}] * 10
    base = RECORD if path == SALE_SYNC else SALE
    answer = await shop.http.post(path, json=_with(base, items=lines))
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == "items"


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
@pytest.mark.parametrize(
    ("path", "template", "field"),
    [
        (SALE_SYNC, '{"action": "CHECK_INVENTORY", "sku": "%s", "quantity": %%s}', "quantity"),
        (SALES, '{"items": [{"sku": "%s", "quantity": 1, "price": %%s}]}', "items[0].price"),
        (
            SALES,
            '{"items": [{"sku": "%s", "quantity": 1, "price": 1, "tax": %%s}]}',
            "items[0].tax",
        ),
    ],
)
async def test_nan_and_infinities_are_refused_naming_the_field(
    shop: TenantClient, path: str, template: str, field: str, literal: str
) -> None:
    body = (template % SKU) % literal
    answer = await shop.http.post(path, content=body, headers=_JSON)
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == field


NUL = "Tomb\x00"
TEXT_FIELDS = [
    (SALE_SYNC, _with(CHECK, sku=NUL), "sku"),
    (SALE_SYNC, _with(CHECK, location=NUL), "location"),
    (SALE_SYNC, _with(RESERVE, location=NUL), "location"),
    (SALE_SYNC, {"action": "RELEASE", "reservationId": NUL}, "reservationId"),
    (SALE_SYNC, _with(RECORD, saleId=NUL), "saleId"),
    (SALE_SYNC, _with(RECORD, invoiceNumber=NUL), "invoiceNumber"),
    (SALE_SYNC, _with(RECORD, customerName=NUL), "customerName"),
    (SALE_SYNC, _with(RECORD, reservationIds=["r1", NUL]), "reservationIds[1]"),
    (SALE_SYNC, _with(RECORD, items=_line(sku=NUL)), "items[0].sku"),
    (SALE_SYNC, _with(RECORD, items=_line(name=NUL)), "items[0].name"),
    (SALE_SYNC, _with(RECORD, items=_line(productId=NUL)), "items[0].productId"),
    (SALES, _with(SALE, saleId=NUL), "saleId"),
    (SALES, _with(SALE, customerId=NUL, customerName="Marcus"), "customerId"),
    (SALES, _with(SALE, customerName=NUL), "customerName"),
    (SALES, _with(SALE, paymentMethod=NUL), "paymentMethod"),
    (SALES, _with(SALE, invoiceNumber=NUL), "invoiceNumber"),
    (SALES, _with(SALE, location=NUL), "location"),
    (SALES, _with(SALE, items=_line(sku=NUL)), "items[0].sku"),
]


TOO_LONG = [
    (SALE_SYNC, _with(RECORD, invoiceNumber="I" * 201), "invoiceNumber"),
    (SALE_SYNC, _with(RECORD, items=_line(productId="P" * 101)), "items[0].productId"),
    (SALES, _with(SALE, invoiceNumber="I" * 201), "invoiceNumber"),
    (SALES, _with(SALE, items=_line(productId="P" * 101)), "items[0].productId"),
]


@pytest.mark.parametrize(("path", "body", "field"), TEXT_FIELDS + TOO_LONG)
async def test_text_the_database_cannot_keep_is_refused_naming_it(
    shop: TenantClient, path: str, body: dict[str, Any], field: str
) -> None:
    """A NUL anywhere, or more characters than the column holds."""
    answer = await shop.http.post(path, json=body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == field


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "field"),
    [
        (
            "PUT",
            "/api/crm/connection",
            {"url": "http://crm\x00.test", "apiKey": "k" * 24},
            422,
            "url",
        ),
        (
            "PUT",
            "/api/crm/connection",
            {"url": "http://crm.test", "apiKey": "k" * 24, "settings": {"payment_method": NUL}},
            422,
            "settings.payment_method",
        ),
        ("PUT", "/api/settings/notifications", {"email": "a\x00@b.test"}, 422, "email"),
        ("PUT", "/api/cin7/credentials", {"accountId": NUL, "apiKey": "k"}, 400, "accountId"),
    ],
)
async def test_a_nul_in_settings_is_refused_naming_it(
    shop: TenantClient, method: str, path: str, body: dict[str, Any], *, status: int, field: str
) -> None:
    answer = await shop.http.request(method, path, json=body)
    assert answer.status_code == status, answer.text
    assert answer.json()["field"] == field


@pytest.mark.parametrize(
    ("method", "path", "field"),
    [
        ("GET", "/api/sales/%00", "sale_id"),
        ("GET", "/api/sales/POS%001/history", "sale_id"),
        ("POST", "/api/notifications/%00/read", "notification_id"),
        ("GET", "/api/v1/pos/history/%00", "business_id"),
        ("GET", "/api/v1/pos/stats/a%00", "business_id"),
        ("GET", "/api/cin7/reconcile/reports/%00", "report_id"),
        ("GET", "/api/catalog?location=%00", "location"),
    ],
)
async def test_a_nul_in_a_path_or_query_is_refused_naming_it(
    shop: TenantClient, method: str, path: str, field: str
) -> None:
    answer = await shop.http.request(method, path)
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"].endswith(field)


async def test_a_nul_in_the_webhook_connection_is_refused(served: RunningHub) -> None:
    async with httpx.AsyncClient(base_url=served.url) as provider:
        answer = await provider.post("/api/cin7/webhook?connection=%00", json=[])
    assert 400 <= answer.status_code < 500, answer.text
    assert answer.json()["field"].endswith("connection")


DEEP = b'{"items": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
BODY_RECEIVERS = [
    ("POST", SALE_SYNC),
    ("POST", SALES),
    ("PUT", "/api/crm/connection"),
    ("PUT", "/api/settings/notifications"),
    ("PUT", "/api/cin7/credentials"),
]


@pytest.mark.parametrize(("method", "path"), BODY_RECEIVERS)
async def test_a_deeply_nested_body_is_a_400_naming_the_body(
    shop: TenantClient, method: str, path: str
) -> None:
    answer = await shop.http.request(method, path, content=DEEP, headers=_JSON)
    assert answer.status_code == 400, answer.text
    assert answer.json()["field"] == "body"


async def test_a_number_too_long_to_read_is_a_400_naming_the_body(shop: TenantClient) -> None:
    body = b'{"action": "CHECK_INVENTORY", "sku": "A", "quantity": 1' + b"0" * 5000 + b"}"
    answer = await shop.http.post(SALE_SYNC, content=body, headers=_JSON)
    assert answer.status_code == 400, answer.text
    assert answer.json()["field"] == "body"


BAD_BODIES = [b'{"action": "CHECK_', DEEP, b"[]"]


@pytest.mark.parametrize("body", BAD_BODIES, ids=["broken", "deep", "list"])
@pytest.mark.parametrize(("method", "path"), BODY_RECEIVERS)
async def test_a_bad_body_without_a_key_is_a_401(
    served: RunningHub, method: str, path: str, body: bytes
) -> None:
    async with httpx.AsyncClient(base_url=served.url) as anonymous:
        answer = await anonymous.request(method, path, content=body, headers=_JSON)
    assert answer.status_code == 401, answer.text
    assert answer.json()["error"] == "not_authenticated"


@pytest.mark.parametrize("last", ["99999999999999999999999", "9223372036854775808", "-1", "x"])
async def test_a_last_event_id_beyond_any_event_is_refused_naming_it(
    shop: TenantClient, last: str
) -> None:
    answer = await shop.http.get("/api/events", headers={"Last-Event-ID": last})
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"].lower().endswith("last-event-id")


async def test_the_largest_last_event_id_still_opens_the_stream(shop: TenantClient) -> None:
    headers = {"Last-Event-ID": str(2**63 - 1)}
    async with shop.http.stream("GET", "/api/events", headers=headers) as answer:
        assert answer.status_code == 200
        first = await anext(answer.aiter_text())
    assert ": connected" in first
