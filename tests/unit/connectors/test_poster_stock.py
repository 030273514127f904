"""Poster's ingredients and leftovers read as the ledger's, our sale as a write-off, and the
write-off found again by its comment."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from tillsync.connectors.deliveries import EventKind
from tillsync.connectors.poster import stock
from tillsync.connectors.poster.webhooks import PosterDeliveries
from tillsync.domain.catalog import StockRow
from tillsync.domain.records import RecordChange


def ingredient(ingredient_id: str, **fields: str) -> dict[str, Any]:
    """A `menu.getIngredients` row, every value a string as Poster writes it."""
    return {
        "ingredient_id": ingredient_id,
        "ingredient_name": f"Ingredient {ingredient_id}",
        "ingredient_barcode": "",
        "category_id": "0",
        "ingredient_left": "0.00000",
        "limit_value": "0",
        "ingredient_unit": "kg",
        "ingredients_type": "1",
        "delete": "0",
        "hidden": "0",
        **fields,
    }


@pytest.mark.parametrize(
    ("rows", "skus"),
    [
        ([ingredient("7", ingredient_barcode=" 4820001 ")], ["4820001"]),
        ([ingredient("7")], ["ingredient-7"]),
        # a barcode two live ingredients share names neither: each keeps its own id
        (
            [ingredient("7", ingredient_barcode="48"), ingredient("8", ingredient_barcode="48")],
            ["ingredient-7", "ingredient-8"],
        ),
        # a removed one shares nothing, and is not a product
        (
            [
                ingredient("7", ingredient_barcode="48"),
                ingredient("8", ingredient_barcode="48", delete="1"),
            ],
            ["48"],
        ),
    ],
)
def test_an_ingredients_sku_is_its_own_barcode_else_its_id(
    rows: list[dict[str, Any]], skus: list[str]
) -> None:
    assert [product.sku for product in stock.products(rows)] == skus


@pytest.mark.parametrize(("unit", "whole"), [("p", True), ("kg", False), ("l", False)])
def test_pieces_sell_whole_and_kilograms_and_litres_in_fractions(unit: str, whole: bool) -> None:
    (product,) = stock.products([ingredient("7", ingredient_unit=unit)])
    assert product.whole_units is whole


def test_an_ingredient_is_a_product_with_its_limit_as_reorder_level() -> None:
    row = ingredient("7", ingredient_name="Milk", limit_value="5.50000", hidden="1")
    (product,) = stock.products([row])
    assert (product.name, product.reorder_level, product.active) == ("Milk", Decimal("5.5"), False)
    assert (product.external_id, product.price, product.barcode) == ("7", None, None)


def test_a_storages_leftovers_are_the_ledgers_rows_under_its_name() -> None:
    leftovers = [  # storage.getStorageLeftovers?storage_id=1
        {"ingredient_id": "7", "ingredient_name": "Milk", "storage_ingredient_left": "24.50000"},
        {"ingredient_id": "8", "ingredient_name": "Flour", "storage_ingredient_left": "-3.00000"},
        {"ingredient_id": "99", "ingredient_name": "A product", "storage_ingredient_left": "4"},
    ]
    rows = stock.stock_rows(leftovers, skus={"7": "4820001", "8": "ingredient-8"}, location="Bar")
    assert rows == [
        StockRow("4820001", "Bar", Decimal("24.5"), Decimal("24.5"), "7", "Milk"),
        StockRow("ingredient-8", "Bar", Decimal(-3), Decimal(-3), "8", "Flour"),
    ]


def test_live_storages_are_locations_by_name_in_id_order() -> None:
    rows = [
        {"storage_id": "10", "storage_name": "Bar", "delete": "0"},
        {"storage_id": "2", "storage_name": "Kitchen", "delete": "0"},
        {"storage_id": "3", "storage_name": "Old", "delete": "1"},
    ]
    assert list(stock.storages(rows).items()) == [("2", "Kitchen"), ("10", "Bar")]


def test_a_sale_is_one_write_off_with_our_reference_on_every_line() -> None:
    body = stock.write_off(
        reference="tillsync-sale-1",
        storage_id="2",
        lines=[("7", Decimal("0.500")), ("8", Decimal(2))],
        at=dt.datetime(2026, 3, 1, 9, 5, tzinfo=dt.UTC),
    )
    assert body == {
        "write_off": {"storage_id": "2", "date": "2026-03-01 09:05:00"},
        "ingredient": [
            {"id": "7", "type": "4", "weight": "0.5", "reason": "tillsync-sale-1"},
            {"id": "8", "type": "4", "weight": "2", "reason": "tillsync-sale-1"},
        ],
    }


def test_a_write_off_is_looked_for_at_its_storage_newest_first_and_known_by_its_comment() -> None:
    wastes = [  # storage.getWastes
        {"waste_id": 4, "storage_id": 2, "delete": 0},
        {"waste_id": 12, "storage_id": 2, "delete": 0},
        {"waste_id": 13, "storage_id": 1, "delete": 0},
        {"waste_id": 14, "storage_id": 2, "delete": 1},
    ]
    assert stock.candidates(wastes, storage_id="2") == ["12", "4"]
    waste = {"elements": [{"type": 10, "ingredients": [{"ingredient_id": 7, "reason": "S-1"}]}]}
    assert stock.carries(waste, "S-1")
    assert not stock.carries(waste, "S-2")
    assert not stock.carries(False, "S-1")  # a getter's "not found"


def hook(data: dict[str, Any]) -> dict[str, Any]:
    return {"object": "stock", "object_id": 7, "action": "changed", "data": json.dumps(data)}


def test_an_ingredients_stock_hook_is_a_hint_naming_it_and_its_record() -> None:
    deliveries = PosterDeliveries()
    assert deliveries.kind("stock.changed") is EventKind.STOCK
    event = deliveries.read("stock.changed", hook({"type": 1, "element_id": 7, "storage_id": 1}))
    assert (event.kind, list(event.product_refs)) == (EventKind.STOCK, ["7"])
    assert event.record == RecordChange("ingredients", "7")
    dish = deliveries.read("stock.changed", hook({"type": 4, "element_id": 9}))
    assert dish.kind is EventKind.OTHER  # dishes, products, modifiers are not kept
