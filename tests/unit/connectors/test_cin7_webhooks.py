"""CIN7 Core webhook deliveries: the bearer check and the shapes of real payloads."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tillsync.connectors.cin7.webhooks import (
    STOCK_EVENT,
    DeliveryRefused,
    check_content_type,
    parse,
    verify,
)

TOKEN = "whk_7d1f0c9e3b2a4f6e8d0c1b2a3f4e5d6c"
SALE_ID = "916ab4c0-6ccb-4c93-873d-0603859050e4"

STOCK_DELIVERY = b"""[
  {"ID": "p-1", "SKU": "POM-STRONG", "Name": "Strong Pomade", "Barcode": "0712345678901",
   "Location": "Main Warehouse", "Bin": "A1", "Batch": null, "ExpiryDate": null,
   "Category": "Hair Care", "OnHand": 10.0, "Allocated": 2.0, "Available": 8.0,
   "OnOrder": 0.0, "StockOnHand": 50.0, "MaxRows": 2},
  {"ID": "p-1", "SKU": "POM-STRONG", "Name": "Strong Pomade", "Barcode": "0712345678901",
   "Location": "Main Warehouse", "Bin": "A2", "Batch": null, "ExpiryDate": null,
   "Category": "Hair Care", "OnHand": 1.0, "Allocated": 0.0, "Available": 1.0,
   "OnOrder": 0.0, "StockOnHand": 5.0, "MaxRows": 2}
]"""

ORDER_AUTHORISED = {
    "SaleID": SALE_ID,
    "SaleOrderNumber": "SO-00042",
    "EventType": "Sale/OrderAuthorised",
}
INVOICE_AUTHORISED = {
    "SaleTaskID": SALE_ID,
    "TenantID": "0a1b",
    "OrderNumber": "SO-00042",
    "InvoiceNumber": "INV-00042",
    "EventType": "Sale/InvoiceAuthorised",
}
PRODUCT_UPDATED = {
    "NumberOfProducts": 1,
    "ProductDetailsList": [{"Event": "Creation", "ID": "p-9", "SKU": "NEW-1", "Name": "New"}],
    "EventType": "Product/Updated",
}


def raw(payload: Any) -> bytes:
    return json.dumps(payload).encode()


@pytest.mark.parametrize(
    ("headers", "ok"),
    [
        ({"Authorization": f"Bearer {TOKEN}"}, True),
        ({"authorization": f"bearer {TOKEN}"}, True),
        ({"AUTHORIZATION": f"Bearer   {TOKEN} "}, True),
        ({"Authorization": f"Bearer {TOKEN}x"}, False),
        ({"Authorization": f"Bearer {TOKEN[:-1]}"}, False),
        ({"Authorization": f"Basic {TOKEN}"}, False),
        ({"Authorization": TOKEN}, False),
        ({"Authorization": "Bearer "}, False),
        ({"Authorization": "Bearer"}, False),
        ({"X-Token": TOKEN}, False),
        ({}, False),
        ({"Authorization": "Bearer ключ"}, False),
    ],
)
def test_verify_accepts_only_our_bearer_token(headers: dict[str, str], ok: bool) -> None:
    assert verify(headers, expected_token=TOKEN) is ok


def test_verify_never_accepts_when_no_token_is_expected() -> None:
    assert verify({"Authorization": "Bearer "}, expected_token="") is False
    assert verify({"Authorization": "Bearer x"}, expected_token="") is False


def test_stock_delivery_is_one_event_with_every_row_and_no_dedupe_key() -> None:
    [event] = parse(STOCK_DELIVERY)
    assert event.type == STOCK_EVENT
    assert event.dedupe_key is None
    assert [row["Bin"] for row in event.data] == ["A1", "A2"]


def test_identical_stock_deliveries_are_both_kept_as_absolute_states() -> None:
    assert parse(STOCK_DELIVERY) == parse(STOCK_DELIVERY)
    assert all(event.dedupe_key is None for event in parse(STOCK_DELIVERY))


def test_empty_stock_delivery_is_no_event() -> None:
    assert parse(b"[]") == []


def test_sale_event_is_keyed_by_type_and_sale_so_redelivery_dedupes() -> None:
    [event] = parse(raw(ORDER_AUTHORISED))
    assert event.type == "Sale/OrderAuthorised"
    assert event.data == ORDER_AUTHORISED
    assert event.dedupe_key is not None
    assert event.dedupe_key.startswith(f"Sale/OrderAuthorised:{SALE_ID}:")
    reordered = json.dumps(dict(reversed(ORDER_AUTHORISED.items())), indent=2).encode()
    assert parse(reordered)[0].dedupe_key == event.dedupe_key


def test_task_events_are_keyed_by_the_sale_task() -> None:
    [event] = parse(raw(INVOICE_AUTHORISED))
    assert event.dedupe_key is not None
    assert event.dedupe_key.startswith(f"Sale/InvoiceAuthorised:{SALE_ID}:")


def test_two_partial_payments_on_one_sale_are_two_events() -> None:
    first = {
        "SaleID": SALE_ID,
        "Amount": 10,
        "DocumentDate": "29/01/2018",
        "EventType": "Sale/PartialPaymentReceived",
    }
    second = {**first, "Amount": 15}
    assert parse(raw(first))[0].dedupe_key != parse(raw(second))[0].dedupe_key


def test_different_events_on_one_sale_do_not_collide() -> None:
    shipped = {**ORDER_AUTHORISED, "EventType": "Sale/ShipmentAuthorised"}
    assert parse(raw(shipped))[0].dedupe_key != parse(raw(ORDER_AUTHORISED))[0].dedupe_key


def test_product_event_is_keyed_by_a_hash_of_its_body() -> None:
    [event] = parse(raw(PRODUCT_UPDATED))
    assert event.type == "Product/Updated"
    assert event.dedupe_key is not None
    assert event.dedupe_key.startswith("Product/Updated:")
    assert len(event.dedupe_key) == len("Product/Updated:") + 64
    changed = {**PRODUCT_UPDATED, "ProductDetailsList": [{"Event": "Update", "SKU": "NEW-1"}]}
    assert parse(raw(changed))[0].dedupe_key != event.dedupe_key


def test_every_dedupe_key_fits_the_inbox_column() -> None:
    longest = {"SaleID": "x" * 500, "EventType": "Sale/" + "A" * 33}
    key = parse(raw(longest))[0].dedupe_key
    assert key is not None
    assert len(key) <= 200


@pytest.mark.parametrize(
    ("body", "status", "problem"),
    [
        (b"not json", 400, "not valid JSON"),
        (b"\xff\xfe", 400, "not valid JSON"),
        (b"", 400, "not valid JSON"),
        (b"1" * 5000, 400, "not valid JSON"),
        (b'"text"', 422, "JSON text"),
        (b"42", 422, "JSON number"),
        (b"null", 422, "JSON null"),
        (b'{"SaleID": "x"}', 422, "no valid EventType"),
        (b'{"EventType": ""}', 422, "no valid EventType"),
        (b'{"EventType": 7}', 422, "no valid EventType"),
        (b'{"EventType": "' + b"A" * 300 + b'/B"}', 422, "no valid EventType"),
        (b"[1, 2]", 422, "not stock-level rows"),
        (b'[{"TaskID": "t-1", "Title": "Call back"}]', 422, "not stock-level rows"),
    ],
)
def test_unknown_or_broken_delivery_is_refused_clearly(
    body: bytes, status: int, problem: str
) -> None:
    with pytest.raises(DeliveryRefused, match=problem) as refused:
        parse(body)
    assert refused.value.status_code == status


def stock(**changes: object) -> bytes:
    rows = json.loads(STOCK_DELIVERY)
    rows[1].update(changes)
    return json.dumps(rows).encode()


NESTED = b"[" * 100_000 + b"]" * 100_000


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (stock(Available="NaN"), "body[1].Available"),
        (stock(Available=1e308), "body[1].Available"),
        (stock(Available=10**30), "body[1].Available"),
        (stock(Available="12abc"), "body[1].Available"),
        (stock(OnHand=None), "body[1].OnHand"),
        (stock(SKU=""), "body[1].SKU"),
        (stock(SKU="S" * 101), "body[1].SKU"),
        (stock(SKU="POM\u0000STRONG"), "body[1].SKU"),
        (stock(Location="W" * 201), "body[1].Location"),
        (STOCK_DELIVERY.replace(b"8.0", b"NaN"), "body[0].Available"),
        (STOCK_DELIVERY.replace(b"8.0", b"Infinity"), "body[0].Available"),
        (STOCK_DELIVERY.replace(b"8.0", b"-Infinity"), "body[0].Available"),
        (STOCK_DELIVERY.replace(b"8.0", b"1e400"), "body[0].Available"),
        (STOCK_DELIVERY.replace(b"50.0", b"1e300"), "body[0].StockOnHand"),
        (STOCK_DELIVERY.replace(b'"Hair Care"', b'"Hair\\u0000Care"'), "body[0].Category"),
        (raw({**ORDER_AUTHORISED, "SaleID": "x\u0000y"}), "body.SaleID"),
        (b'{"SaleID": "\\ud800", "EventType": "Sale/OrderAuthorised"}', "body.SaleID"),
        (b'{"Sale\\u0000ID": "x", "EventType": "Sale/OrderAuthorised"}', "body"),
        (raw({**ORDER_AUTHORISED, "SaleID": {"ID": SALE_ID}}), "body.SaleID"),
        (raw({**INVOICE_AUTHORISED, "SaleTaskID": ["x"]}), "body.SaleTaskID"),
        (raw({**PRODUCT_UPDATED, "ProductDetailsList": "all"}), "body.ProductDetailsList"),
        (raw({**PRODUCT_UPDATED, "ProductDetailsList": [7]}), "body.ProductDetailsList[0]"),
        (
            raw({**PRODUCT_UPDATED, "ProductDetailsList": [{"Name": "No SKU"}]}),
            "body.ProductDetailsList[0].SKU",
        ),
        (
            raw({**PRODUCT_UPDATED, "ProductDetailsList": [{"SKU": "P", "PriceTier1": 1e308}]}),
            "body.ProductDetailsList[0].PriceTier1",
        ),
    ],
)
def test_a_delivery_cin7_would_never_send_is_refused_naming_the_field(
    body: bytes, field: str
) -> None:
    with pytest.raises(DeliveryRefused) as refused:
        parse(body)
    assert refused.value.status_code == 422
    assert refused.value.field == field
    assert "\x00" not in refused.value.message


@pytest.mark.parametrize(
    "body",
    [
        NESTED,
        b'{"EventType": "Sale/Created", "x": ' + b"[" * 40 + b"]" * 40 + b"}",
        b'[{"SKU": "A", "x": ' + b'{"a":' * 20 + b"1" + b"}" * 20 + b"}]",
    ],
)
def test_a_delivery_nested_deeper_than_cin7_nests_is_unreadable(body: bytes) -> None:
    with pytest.raises(DeliveryRefused) as refused:
        parse(body)
    assert (refused.value.status_code, refused.value.field) == (400, "body")


def test_a_stock_delivery_may_carry_numeric_text_and_negative_zero() -> None:
    [event] = parse(stock(Available="1.0", OnHand=-0.0))
    assert event.data[1]["Available"] == "1.0"


@pytest.mark.parametrize(
    ("content_type", "ok"),
    [
        ("application/json", True),
        ("application/json; charset=utf-8", True),
        ("Application/JSON", True),
        ("application/vnd.cin7+json", True),
        ("text/plain", False),
        ("text/json", False),
        ("application/x-www-form-urlencoded", False),
        ("multipart/form-data; boundary=x", False),
        ("", False),
        (None, False),
    ],
)
def test_only_a_json_delivery_is_read(content_type: str | None, ok: bool) -> None:
    if ok:
        check_content_type(content_type)
        return
    with pytest.raises(DeliveryRefused) as refused:
        check_content_type(content_type)
    assert (refused.value.status_code, refused.value.field) == (415, "Content-Type")
