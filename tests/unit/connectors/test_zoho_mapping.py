"""Zoho mapping and errors: our order as a sales order, Zoho's JSON read back (recorded
shapes from the notes' real list capture), and status with envelope code as one verdict."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tillsync.connectors.http import dump_json
from tillsync.connectors.zoho import errors, mapping, oauth, webhooks
from tillsync.domain.orders import PosLine, PosOrder
from tillsync.errors import AuthFailed, Permanent, Retryable, Throttled

ITEMS_PAGE: dict[str, Any] = {  # GET /items, as the notes' real capture shows a row
    "code": 0,
    "message": "success",
    "items": [
        {
            "item_id": "4815000000044208",
            "name": "Beard Oil",
            "sku": "OIL-1",
            "unit": "pcs",
            "status": "active",
            "rate": 12.5,
            "purchase_rate": 6.0,
            "item_type": "inventory",
            "product_type": "goods",
            "stock_on_hand": 5.000000,
            "available_stock": 3.000000,
            "actual_available_stock": 3.000000,
            "reorder_level": "",
            "created_time": "2024-02-01T10:54:54+0200",
            "last_modified_time": "2024-02-01T10:54:54+0200",
        },
        {
            "item_id": "4815000000044300",
            "name": "Trim",
            "sku": "",
            "status": "inactive",
            "rate": 20,
            "item_type": "sales",
            "product_type": "service",
            "reorder_level": 2.0,
        },
    ],
    "page_context": {
        "page": 1,
        "per_page": 200,
        "has_more_page": False,
        "report_name": "Items",
        "applied_filter": "Status.All",
        "sort_column": "name",
        "sort_order": "A",
    },
}
ITEM: dict[str, Any] = {  # GET /items/{id}: per-location figures as strings (the spec's way)
    "code": 0,
    "message": "success",
    "item": {
        "item_id": "4815000000044208",
        "name": "Beard Oil",
        "sku": "OIL-1",
        "locations": [
            {
                "location_id": "1",
                "location_name": "Main",
                "is_primary": True,
                "location_stock_on_hand": "5.000000",
                "location_available_stock": "3.000000",
            },
            {"location_id": "2", "location_name": "Van", "location_stock_on_hand": 1},
        ],
    },
}


def test_items_read_as_products_and_stock_with_text_and_empty_figures() -> None:
    oil, trim = mapping.products(ITEMS_PAGE)
    assert (oil.sku, oil.price, oil.reorder_level, oil.active) == (
        "OIL-1",
        Decimal("12.5"),
        None,
        True,
    )
    assert (trim.sku, trim.reorder_level, trim.active) == ("4815000000044300", Decimal(2), False)
    (row,) = mapping.stock_rows(ITEMS_PAGE, location="Main")  # a service item has no stock
    assert (row.sku, row.on_hand, row.available) == ("OIL-1", Decimal(5), Decimal(3))
    assert not mapping.has_more(ITEMS_PAGE)
    main, van = mapping.item_stock(ITEM)
    assert (main.location, main.on_hand, main.available) == ("Main", Decimal(5), Decimal(3))
    assert (van.location, van.available) == ("Van", Decimal(1))  # no available: on hand


def test_an_order_is_a_sales_order_by_reference_with_lines_by_item_or_name() -> None:
    order = PosOrder(
        reference="ORD-1",
        currency="USD",
        lines=[
            PosLine("Paneer", Decimal(2), Decimal("12.50"), catalog_id="48150", note="Hot"),
            PosLine("Salad", Decimal(1), Decimal(4)),
        ],
        note="Ring twice",
    )
    body = json.loads(dump_json(mapping.order_body(order, customer_id="77")))
    assert body == {
        "customer_id": "77",
        "reference_number": "ORD-1",
        "line_items": [
            {"rate": 12.50, "quantity": 2, "item_id": "48150", "description": "Hot"},
            {"rate": 4, "quantity": 1, "name": "Salad"},
        ],
        "notes": "Ring twice",
    }


@pytest.mark.parametrize("key", ["salesorder", "sales_order"])
def test_a_sales_order_answer_is_read_under_either_key(key: str) -> None:
    assert mapping.salesorder_id({key: {"salesorder_id": "9"}}) == "9"


def test_a_void_sales_order_is_not_ours_to_find() -> None:
    listed = {
        "salesorders": [
            {"salesorder_id": "1", "reference_number": "R", "status": "void"},
            {"salesorder_id": "2", "reference_number": "R", "status": "draft"},
        ]
    }
    found = mapping.with_reference(listed, "R")
    assert found is not None
    assert found["salesorder_id"] == "2"


def _response(status: int, body: object) -> httpx.Response:
    request = httpx.Request("GET", "https://www.zohoapis.com/inventory/v1/items")
    return httpx.Response(status, json=body, request=request)


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (401, {"code": 57, "message": "You are not authorized"}, AuthFailed),
        (200, {"code": 57, "message": "You are not authorized"}, AuthFailed),
        (200, {"code": 1000, "message": "Internal error"}, Retryable),
        (200, {"code": 1002, "message": "Item does not exist."}, Permanent),
        (400, {"code": 1002, "message": "Item does not exist."}, Permanent),
        (429, {"code": 44, "message": "too many requests"}, Throttled),
        (500, {"code": 1000, "message": "Internal error"}, Retryable),
    ],
)
def test_status_and_envelope_code_decide_the_error(
    status: int, body: object, error: type[Exception]
) -> None:
    with pytest.raises(error) as raised:
        errors.read(_response(status, body))
    assert "does not exist" not in str(raised.value)  # Zoho's message is never repeated


def test_a_success_reads_as_its_json() -> None:
    assert errors.read(_response(201, {"code": 0, "salesorder": {}}))["code"] == 0


@pytest.mark.parametrize(
    ("server", "kept"),
    [
        ("https://accounts.zoho.eu", True),
        ("https://accounts.zohocloud.ca", True),
        ("http://accounts.zoho.eu", False),
        ("https://accounts.zoho.eu.attacker.example", False),
        ("https://attacker.example", False),
    ],
)
def test_only_zohos_accounts_servers_are_kept_from_a_callback(server: str, kept: bool) -> None:
    address = "https://www.zohoapis.com/inventory/v1"
    if kept:
        found = oauth.from_callback({"accounts-server": server, "location": "eu"}, address)
        assert found == {"accounts_server": server, "location": "eu"}
        assert oauth.accounts_base(address, found) == server
    else:
        with pytest.raises(ValueError, match="accounts-server"):
            oauth.from_callback({"accounts-server": server}, address)


def test_the_api_follows_the_accounts_data_centre() -> None:
    address = "https://www.zohoapis.com/inventory/v1"
    assert oauth.accounts_base(address, {}) == "https://accounts.zoho.com"
    eu = oauth.api_base(address, {"api_domain": "https://www.zohoapis.eu"})
    assert eu == "https://www.zohoapis.eu/inventory/v1"
    assert oauth.api_base(address, {"api_domain": "https://evil.example"}) == address


@pytest.mark.parametrize(
    "body",
    [
        {
            "salesorder": {
                "salesorder_id": "5",
                "status": "confirmed",
                "last_modified_time": "2026-03-01T12:00:00+0000",
            }
        },
        {
            "salesorder_id": "5",
            "status": "confirmed",
            "last_modified_time": "2026-03-01T12:00:00+0000",
        },
    ],
    ids=["keyed", "flat"],
)
def test_a_workflow_body_keyed_or_flat_is_one_sales_order_event(body: dict[str, Any]) -> None:
    (delivery,) = webhooks.parse(json.dumps(body).encode())
    assert delivery.type == "salesorder"
    assert delivery.dedupe_key.startswith("salesorder:5:2026-03-01T12:00:00+0000:")
    state = webhooks.order_state(delivery.data)
    assert state is not None
    assert (state.pos_order_id, state.state) == ("5", "confirmed")


def test_two_changes_within_one_second_are_two_events_and_a_resend_is_one() -> None:
    def key(stock: int) -> str:
        item = {
            "item_id": "7",
            "stock_on_hand": stock,
            "last_modified_time": "2026-03-01T12:00:00+0000",
        }
        (delivery,) = webhooks.parse(json.dumps({"item": item}).encode())
        return delivery.dedupe_key

    assert key(0) != key(30)  # Zoho's time has no finer grain than the second
    assert key(30) == key(30)
