"""Square's inventory read as the ledger's, and our sale as Square's adjustments."""

import datetime as dt
from decimal import Decimal
from typing import Any

from tillsync.connectors.square import stock
from tillsync.domain.catalog import StockRow

ITEMS: list[dict[str, Any]] = [  # as Square lists ITEM objects (variations nested)
    {
        "type": "ITEM",
        "id": "TVQTVR4PYWQ3Y2LMSNSLVN6M",
        "item_data": {
            "name": "Masala Chai",
            "variations": [
                {
                    "type": "ITEM_VARIATION",
                    "id": "7FVH436DLPFC42WGIG6VFT7Q",
                    "item_variation_data": {
                        "item_id": "TVQTVR4PYWQ3Y2LMSNSLVN6M",
                        "name": "Small",
                        "sku": "CHAI-S",
                        "price_money": {"amount": 300, "currency": "USD"},
                    },
                },
                {  # no SKU: a variation the ledger cannot name
                    "type": "ITEM_VARIATION",
                    "id": "QJ6TWBIU4OXLVQKZLQ3HO5TZ",
                    "item_variation_data": {"item_id": "TVQTVR4PYWQ3Y2LMSNSLVN6M", "name": "Pot"},
                },
            ],
        },
    }
]
COUNTS: dict[str, Any] = {  # POST /v2/inventory/counts/batch-retrieve
    "counts": [
        {
            "catalog_object_id": "7FVH436DLPFC42WGIG6VFT7Q",
            "catalog_object_type": "ITEM_VARIATION",
            "state": "IN_STOCK",
            "location_id": "057P5VYJ4A5X1",
            "quantity": "79",
            "calculated_at": "2026-11-20T10:00:00.123Z",
            "is_estimated": False,
        },
        {
            "catalog_object_id": "7FVH436DLPFC42WGIG6VFT7Q",
            "catalog_object_type": "ITEM_VARIATION",
            "state": "WASTE",
            "location_id": "057P5VYJ4A5X1",
            "quantity": "2",
            "calculated_at": "2026-11-20T10:00:00.123Z",
        },
        {  # a location we were not told of
            "catalog_object_id": "7FVH436DLPFC42WGIG6VFT7Q",
            "state": "IN_STOCK",
            "location_id": "UNKNOWN000001",
            "quantity": "5",
        },
    ]
}
EVENT: dict[str, Any] = {  # an inventory.count.updated delivery, as the docs show it
    "merchant_id": "MLDEMOKITCHEN",
    "type": "inventory.count.updated",
    "event_id": "df5f3813-a913-45a1-94e9-fdc3f7d5e3b6",
    "created_at": "2026-11-20T10:00:01.000Z",
    "data": {
        "type": "inventory",
        "id": "84e4ac73-d605-4dbd-a9e5-ffff794ddb9d",
        "object": {
            "inventory_counts": [
                {**COUNTS["counts"][0], "quantity": "77"},
                {**COUNTS["counts"][0], "state": "SOLD", "catalog_object_id": "SOLDONLY0000"},
            ]
        },
    },
}


def test_only_variations_with_a_sku_are_products_named_item_and_variation() -> None:
    (product,) = stock.stocked_products(ITEMS)
    assert (product.sku, product.name, product.external_id, product.price) == (
        "CHAI-S",
        "Masala Chai (Small)",
        "7FVH436DLPFC42WGIG6VFT7Q",
        Decimal(3),
    )


def test_in_stock_counts_become_rows_at_the_location_s_name() -> None:
    rows = stock.stock_rows(
        COUNTS["counts"],
        skus={"7FVH436DLPFC42WGIG6VFT7Q": "CHAI-S"},
        locations={"057P5VYJ4A5X1": "Main Street"},
    )
    assert rows == [
        StockRow(
            "CHAI-S",
            "Main Street",
            Decimal(79),
            Decimal(79),
            product_id="7FVH436DLPFC42WGIG6VFT7Q",
            name=None,
        )
    ]


def test_a_sale_is_one_adjustment_per_line_from_in_stock_to_sold_with_our_reference() -> None:
    changes = stock.sale_changes(
        reference="POS-1", lines=[("7FVH436DLPFC42WGIG6VFT7Q", Decimal("2.0"))], location_id="L1"
    )
    assert changes == [
        {
            "type": "ADJUSTMENT",
            "adjustment": {
                "from_state": "IN_STOCK",
                "to_state": "SOLD",
                "catalog_object_id": "7FVH436DLPFC42WGIG6VFT7Q",
                "location_id": "L1",
                "quantity": "2",
                "reference_id": "POS-1",
            },
        }
    ]


def test_our_adjustment_is_found_by_reference_among_the_changes() -> None:
    answer = {
        "changes": [
            {"type": "PHYSICAL_COUNT", "physical_count": {"id": "C0", "reference_id": "POS-1"}},
            {"type": "ADJUSTMENT", "adjustment": {"id": "A1", "reference_id": "POS-0"}},
            {"type": "ADJUSTMENT", "adjustment": {"id": "A2", "reference_id": "POS-1"}},
        ]
    }
    assert stock.adjustment_with_reference(answer, "POS-1") == "A2"
    assert stock.adjustment_with_reference(answer, "POS-9") is None
    query = stock.changes_query(
        variation_ids=["B", "A", "B"], since=dt.datetime(2026, 11, 20, tzinfo=dt.UTC), cursor="c"
    )
    assert query == {
        "catalog_object_ids": ["A", "B"],
        "types": ["ADJUSTMENT"],
        "updated_after": "2026-11-20T00:00:00.000Z",
        "limit": 1000,
        "cursor": "c",
    }


def test_a_count_event_names_the_variations_counted_in_stock() -> None:
    assert stock.counted_objects(EVENT) == ["7FVH436DLPFC42WGIG6VFT7Q"]
    assert stock.counted_objects({"data": {"object": {}}}) == []
