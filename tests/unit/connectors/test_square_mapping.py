"""Square mapping: our order as seed 004's CreateOrder body, Square's JSON read back."""

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from tillsync.connectors.square import mapping
from tillsync.domain.orders import Customer, PosLine, PosOrder

CATALOG_PAGE: dict[str, Any] = {  # as Square lists ITEM objects (variations nested)
    "objects": [
        {
            "type": "ITEM",
            "id": "TVQTVR4PYWQ3Y2LMSNSLVN6M",
            "updated_at": "2026-11-20T10:00:00.123Z",
            "version": 1763632800123,
            "is_deleted": False,
            "present_at_all_locations": True,
            "item_data": {
                "name": "Paneer Butter Masala",
                "variations": [
                    {
                        "type": "ITEM_VARIATION",
                        "id": "7FVH436DLPFC42WGIG6VFT7Q",
                        "version": 1763632800123,
                        "item_variation_data": {
                            "item_id": "TVQTVR4PYWQ3Y2LMSNSLVN6M",
                            "name": "Regular",
                            "sku": "PBM-R",
                            "pricing_type": "FIXED_PRICING",
                            "price_money": {"amount": 30000, "currency": "INR"},
                        },
                    },
                    {
                        "type": "ITEM_VARIATION",
                        "id": "QJ6TWBIU4OXLVQKZLQ3HO5TZ",
                        "is_deleted": True,
                        "item_variation_data": {"name": "Gone", "sku": "PBM-G"},
                    },
                ],
            },
        },
        {
            "type": "ITEM_VARIATION",
            "id": "W3ZUDE2Z3ZRNTZOYVFNBBQXH",
            "item_variation_data": {
                "name": "Masala Chai",
                "pricing_type": "VARIABLE_PRICING",
                "price_money": {"amount": 5, "currency": "KWD"},
            },
        },
    ],
    "cursor": "CAASJAoSMTIzNDU2Nzg5",
}


def _order(**changes: Any) -> PosOrder:
    order = PosOrder(
        reference="menumaker-order-uuid",
        currency="INR",
        lines=[PosLine("Paneer Butter Masala", Decimal("2"), Decimal("300"), note="Extra spicy")],
    )
    return dataclasses.replace(order, **changes)


def test_an_order_is_seed_004s_example() -> None:
    body = mapping.order_body(_order(), location_id="square-location-id", source="MenuMaker")
    assert body == {
        "location_id": "square-location-id",
        "line_items": [
            {
                "name": "Paneer Butter Masala",
                "quantity": "2",
                "base_price_money": {"amount": 30000, "currency": "INR"},
                "note": "Extra spicy",
            }
        ],
        "reference_id": "menumaker-order-uuid",
        "metadata": {"source": "MenuMaker", "menumaker_order_id": "menumaker-order-uuid"},
    }


def test_mapped_lines_go_by_catalog_id_and_money_follows_the_currency_exponent() -> None:
    lines = [
        PosLine("Chai", Decimal("1.50"), Decimal("0.125"), catalog_id="W3ZUDE2Z3ZRNTZOYVFNBBQXH"),
        PosLine("Naan", Decimal("3"), Decimal("1.235")),
    ]
    body = mapping.order_body(_order(currency="KWD", lines=lines), location_id="L")
    assert body["line_items"] == [
        {"quantity": "1.5", "catalog_object_id": "W3ZUDE2Z3ZRNTZOYVFNBBQXH"},
        {"quantity": "3", "name": "Naan", "base_price_money": {"amount": 1235, "currency": "KWD"}},
    ]
    yen = mapping.order_body(_order(currency="JPY", lines=[lines[1]]), location_id="L")
    assert yen["line_items"][0]["base_price_money"] == {"amount": 1, "currency": "JPY"}


@pytest.mark.parametrize(
    ("customer", "note", "pickup"),
    [
        (None, None, None),
        (Customer("Asha", None), None, {"recipient": {"display_name": "Asha"}}),
        (
            Customer("Asha", "+91 98765 43210"),
            "Ring twice",
            {
                "recipient": {"display_name": "Asha", "phone_number": "+91 98765 43210"},
                "note": "Ring twice",
            },
        ),
        (None, "Ring twice", {"note": "Ring twice"}),
    ],
)
def test_the_customer_and_instructions_ride_on_a_pickup_fulfillment(
    customer: Customer | None, note: str | None, pickup: dict[str, Any] | None
) -> None:
    body = mapping.order_body(_order(customer=customer, note=note), location_id="L")
    if pickup is None:
        assert "fulfillments" not in body
    else:
        (fulfillment,) = body["fulfillments"]
        assert fulfillment["type"] == "PICKUP"
        assert fulfillment["pickup_details"] == pickup | {"schedule_type": "ASAP"}


def test_square_catalog_json_reads_as_one_product_per_live_variation() -> None:
    products = mapping.catalog_products(CATALOG_PAGE["objects"])
    assert [(p.external_id, p.sku, p.name, p.price) for p in products] == [
        ("7FVH436DLPFC42WGIG6VFT7Q", "PBM-R", "Paneer Butter Masala (Regular)", Decimal("300")),
        ("W3ZUDE2Z3ZRNTZOYVFNBBQXH", "W3ZUDE2Z3ZRNTZOYVFNBBQXH", "Masala Chai", Decimal("0.005")),
    ]
    assert mapping.catalog_products([{"type": "ITEM"}, "junk", {"type": "TAX"}]) == []


def test_search_answers_are_matched_by_our_reference() -> None:
    answer = {
        "orders": [
            {"id": "CAISENgvlJ6jLWAzERDzjyHVybY", "reference_id": "other"},
            {"id": "DwB1iSsq5hLmb1oWUz4GU8oAhW7", "reference_id": "ORD-1"},
        ],
        "cursor": "next",
    }
    assert mapping.with_reference(answer, "ORD-1") == "DwB1iSsq5hLmb1oWUz4GU8oAhW7"
    assert mapping.with_reference(answer, "ORD-2") is None
    assert mapping.with_reference({}, "ORD-1") is None
    since = dt.datetime(2026, 11, 29, 10, 0, 0, 123456, tzinfo=dt.UTC)
    search = mapping.order_search(location_id="L1", since=since, cursor="c")
    assert search["query"]["filter"]["date_time_filter"] == {
        "created_at": {"start_at": "2026-11-29T10:00:00.123Z"}
    }
    assert search["query"]["sort"] == {"sort_field": "CREATED_AT", "sort_order": "DESC"}
    assert (search["location_ids"], search["cursor"]) == (["L1"], "c")


def test_locations_and_order_ids_are_read_from_square_answers() -> None:
    answer = {
        "locations": [
            {"id": "057P5VYJ4A5X1", "name": "Main Street", "currency": "USD", "status": "ACTIVE"},
            {"id": "LZ2GZTHS1HNA6", "status": "INACTIVE"},
            {"name": "no id"},
        ]
    }
    assert mapping.locations(answer) == [
        mapping.Location("057P5VYJ4A5X1", "Main Street", "USD", True),
        mapping.Location("LZ2GZTHS1HNA6", "LZ2GZTHS1HNA6", None, False),
    ]
    main = {"location": {"id": "057P5VYJ4A5X1", "name": "Main Street", "merchant_id": "M1"}}
    assert mapping.location(main) == mapping.Location(
        "057P5VYJ4A5X1", "Main Street", None, True, merchant_id="M1"
    )
    assert mapping.location({"errors": []}) is None
    assert mapping.order_id({"order": {"id": "CAISENgvlJ6jLWAzERDzjyHVybY"}}) == (
        "CAISENgvlJ6jLWAzERDzjyHVybY"
    )
    assert mapping.order_id({"order": {}}) is None
