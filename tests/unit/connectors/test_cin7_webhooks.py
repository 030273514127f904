"""CIN7 Core webhook deliveries: the bearer check and the shapes of real payloads."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tillsync.connectors.cin7.webhooks import STOCK_EVENT, parse, verify

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
    ("body", "problem"),
    [
        (b"not json", "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        (b"", "not valid JSON"),
        (b'"text"', "JSON str"),
        (b"42", "JSON int"),
        (b"null", "JSON NoneType"),
        (b'{"SaleID": "x"}', "no valid EventType"),
        (b'{"EventType": ""}', "no valid EventType"),
        (b'{"EventType": 7}', "no valid EventType"),
        (b'{"EventType": "' + b"A" * 300 + b'/B"}', "no valid EventType"),
        (b"[1, 2]", "not stock-level rows"),
        (b'[{"TaskID": "t-1", "Title": "Call back"}]', "not stock-level rows"),
    ],
)
def test_unknown_or_broken_delivery_is_a_clear_value_error(body: bytes, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse(body)
