"""The Dine connector without a network: our order as Dine's body, its answers read back,
its errors as outcomes (the contract is assumed: see `connectors/dine/provider.py`)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tillsync.connectors.dine import mapping
from tillsync.connectors.dine.errors import read
from tillsync.domain.orders import Customer, PosLine, PosOrder
from tillsync.errors import AuthFailed, Permanent, ProviderError, Retryable, Throttled

MENU_PAGE: dict[str, Any] = {  # as the Dine emulator lists its menu
    "items": [
        {
            "id": "mi_cd9be31a2699d08c",
            "name": "Paneer Butter Masala",
            "price": "12.50",
            "category": "Mains",
            "sku": "PBM",
            "available": True,
        },
        {
            "id": "mi_d873c87d3ad89483",
            "name": "Mango Lassi",
            "price": "4.00",
            "category": "Drinks",
            "sku": None,
            "available": False,
        },
        {"name": "no id: not an item"},
    ],
    "page": 1,
    "per_page": 3,
    "total": 3,
    "has_more": False,
}
LOOKUP: dict[str, Any] = {
    "orders": [
        {"id": "ord_1", "reference": "ORD-0"},
        {"id": "ord_2", "reference": "ORD-1", "status": "received"},
    ]
}


def test_an_order_goes_by_menu_item_where_mapped_else_by_name_and_price() -> None:
    order = PosOrder(
        reference="ORD-1",
        currency="INR",
        lines=[
            PosLine("Paneer Butter Masala", Decimal("2.0"), Decimal("300"), catalog_id="mi_1"),
            PosLine("House Salad", Decimal("1"), Decimal("4.50"), note="No onion"),
        ],
        note="Ring twice",
        customer=Customer("Asha", None),
    )
    assert mapping.order_body(order) == {
        "reference": "ORD-1",
        "currency": "INR",
        "lines": [
            {"quantity": "2", "menu_item_id": "mi_1"},
            {"quantity": "1", "name": "House Salad", "unit_price": "4.5", "note": "No onion"},
        ],
        "source": "tillsync",
        "note": "Ring twice",
        "customer": {"name": "Asha"},
    }


def test_an_order_without_customer_or_note_sends_neither() -> None:
    order = PosOrder("ORD-2", "USD", [PosLine("Chai", Decimal(1), Decimal("2.75"))])
    body = mapping.order_body(order)
    assert "customer" not in body
    assert "note" not in body


def test_menu_items_read_as_products_named_by_their_ids() -> None:
    products = mapping.menu_products(MENU_PAGE)
    assert [(p.external_id, p.sku, p.price, p.active) for p in products] == [
        ("mi_cd9be31a2699d08c", "PBM", Decimal("12.50"), True),
        ("mi_d873c87d3ad89483", "mi_d873c87d3ad89483", Decimal("4.00"), False),
    ]


def test_answers_are_read_for_the_order_id_and_our_reference() -> None:
    assert mapping.order_id({"order": {"id": "ord_9"}}) == "ord_9"
    assert mapping.order_id({"order": {}}) is None
    assert mapping.with_reference(LOOKUP, "ORD-1") == "ord_2"
    assert mapping.with_reference(LOOKUP, "ORD-3") is None
    assert mapping.restaurant_name({"restaurant": {"name": "Cafe"}}) == "Cafe"


def _response(status: int, body: object = None, **headers: str) -> httpx.Response:
    request = httpx.Request("POST", "http://dine.test/v1/orders?reference=ORD-1")
    content = b"" if body is None else json.dumps(body).encode()
    return httpx.Response(status, content=content, headers=headers, request=request)


def _error(code: str, message: str, **more: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **more}}


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (401, _error("unauthorized", "a valid X-Api-Key header is required"), AuthFailed),
        (400, _error("idempotency_key_required", "the header is missing"), Permanent),
        (404, _error("not_found", "no such order"), Permanent),
        (422, _error("idempotency_key_reused", "used with another body"), Permanent),
        (
            422,
            _error("invalid_request", "no such menu item", field="lines[0].menu_item_id"),
            Permanent,
        ),
        (500, _error("internal_error", "Something went wrong"), Retryable),
        (503, None, Retryable),
        (429, _error("rate_limited", "Too many requests"), Throttled),
    ],
)
def test_dine_errors_become_outcomes_naming_the_code_never_the_message(
    status: int, body: object, expected: type[ProviderError]
) -> None:
    with pytest.raises(expected) as raised:
        read(_response(status, body))
    assert type(raised.value) is expected
    text = str(raised.value)
    assert f"HTTP {status}" in text
    if isinstance(body, dict):
        assert body["error"]["code"] in text
        assert body["error"]["message"] not in text


def test_a_customer_echoed_in_an_error_message_is_not_repeated() -> None:
    body = _error("invalid_request", "customer.name 'Asha +1 555 0100' is too long", field="x")
    with pytest.raises(Permanent) as raised:
        read(_response(422, body))
    assert "Asha" not in str(raised.value)
    assert "invalid_request (field x)" in str(raised.value)


def test_a_throttle_carries_the_wait_dine_asks_for() -> None:
    with pytest.raises(Throttled) as raised:
        read(_response(429, _error("rate_limited", "slow down"), **{"Retry-After": "17"}))
    assert raised.value.wait_seconds == 17
