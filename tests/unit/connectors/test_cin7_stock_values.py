"""Stock rows and products hold only values CIN7 sends; anything else fails once, not forever."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tillsync.connectors.cin7.mapping import product_fields, stock_rows
from tillsync.connectors.cin7.values import InvalidRecord
from tillsync.errors import Permanent

ROW: dict[str, Any] = {
    "ID": "p-1",
    "SKU": "POM-STRONG",
    "Name": "Strong Pomade",
    "Location": "Main Warehouse",
    "Bin": "A1",
    "OnHand": 10.0,
    "Allocated": 2.0,
    "Available": 8.0,
}


def row(**changes: object) -> dict[str, Any]:
    return {**ROW, **changes}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"Available": "NaN"}, "[0].Available"),
        ({"Available": float("nan")}, "[0].Available"),
        ({"Available": float("inf")}, "[0].Available"),
        ({"OnHand": float("-inf")}, "[0].OnHand"),
        ({"Available": "Infinity"}, "[0].Available"),
        ({"Available": 1e308}, "[0].Available"),
        ({"Available": 10**400}, "[0].Available"),
        ({"Available": 1_000_000_001}, "[0].Available"),
        ({"OnHand": -1_000_000_001}, "[0].OnHand"),
        ({"Available": Decimal("1E+30")}, "[0].Available"),
        ({"Available": "12abc"}, "[0].Available"),
        ({"Available": "1e3"}, "[0].Available"),
        ({"Available": ""}, "[0].Available"),
        ({"Available": True}, "[0].Available"),
        ({"Available": None}, "[0].Available"),
        ({"Available": [1]}, "[0].Available"),
        ({"OnHand": {"value": 1}}, "[0].OnHand"),
        ({"SKU": ""}, "[0].SKU"),
        ({"SKU": "   "}, "[0].SKU"),
        ({"SKU": "X" * 101}, "[0].SKU"),
        ({"SKU": "POM\x00STRONG"}, "[0].SKU"),
        ({"SKU": "POM\ud800"}, "[0].SKU"),
        ({"SKU": "POM\nSTRONG"}, "[0].SKU"),
        ({"SKU": 42}, "[0].SKU"),
        ({"Location": ""}, "[0].Location"),
        ({"Location": "L" * 201}, "[0].Location"),
        ({"Location": "Main\x00"}, "[0].Location"),
        ({"Name": "Strong\x00Pomade"}, "[0].Name"),
    ],
)
def test_a_stock_row_with_a_value_cin7_never_sends_is_refused(
    changes: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidRecord) as refused:
        stock_rows([row(**changes)])
    assert refused.value.field == field
    assert isinstance(refused.value, Permanent)  # the job fails at once, never loops
    assert "\x00" not in refused.value.message


def test_the_sum_of_a_locations_bins_is_held_to_the_same_range() -> None:
    with pytest.raises(InvalidRecord) as refused:
        stock_rows([row(Available=900_000_000), row(Bin="A2", Available=900_000_000)])
    assert refused.value.field == "[1].Available"


@pytest.mark.parametrize(
    ("available", "expected"),
    [
        (-0.0, Decimal(0)),
        ("-0", Decimal(0)),
        (0.00001, Decimal(0)),
        (1.23456, Decimal("1.2346")),
        ("5", Decimal(5)),
        (" 7.25 ", Decimal("7.25")),
        (-3, Decimal(-3)),
        (1_000_000_000, Decimal(1_000_000_000)),
    ],
)
def test_a_stock_figure_is_exact_to_four_places_and_zero_has_no_sign(
    available: object, expected: Decimal
) -> None:
    [stock] = stock_rows([row(Available=available)])
    assert stock.available == expected
    assert stock.available.is_signed() is (expected < 0)
    assert stock.available == stock.available.quantize(Decimal("0.0001"))


def test_a_long_product_name_is_cut_to_what_the_catalog_holds() -> None:
    [stock] = stock_rows([row(Name="N" * 1000)])
    assert stock.name == "N" * 300


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"SKU": ""}, "SKU"),
        ({"SKU": "S" * 101}, "SKU"),
        ({"SKU": "A\x00"}, "SKU"),
        ({"PriceTier1": 1e308}, "PriceTier1"),
        ({"PriceTier1": "NaN"}, "PriceTier1"),
        ({"PriceTier1": -1}, "PriceTier1"),
        ({"MinimumBeforeReorder": float("inf")}, "MinimumBeforeReorder"),
        ({"Barcode": "0" * 65}, "Barcode"),
        ({"Name": "Pomade\x00"}, "Name"),
    ],
)
def test_a_product_with_a_value_cin7_never_sends_is_refused(
    changes: dict[str, object], field: str
) -> None:
    product = {"ID": "p-1", "SKU": "POM", "Name": "Pomade", "PriceTier1": 18.95, **changes}
    with pytest.raises(InvalidRecord) as refused:
        product_fields(product)
    assert refused.value.field == field
