"""How a warehouse's products and figures differ from the hub's, and how a report shows it."""

from decimal import Decimal

import pytest

from tillsync.domain.catalog import ProductFields
from tillsync.domain.drift import Difference, product_differences, shown, stock_differences

D = Decimal


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (True, "true"),
        (False, "false"),
        (D("12.000"), "12"),
        (D("1E+1"), "10"),
        (D("2.50"), "2.50"),
        ("x" * 400, "x" * 300),
    ],
)
def test_a_value_is_shown_as_a_report_shows_it(value: object, expected: str | None) -> None:
    assert shown(value) == expected


def _fields(**changes: object) -> ProductFields:
    values: dict[str, object] = {
        "sku": "A",
        "name": "Pomade",
        "barcode": None,
        "price": D("9.50"),
        "reorder_level": None,
        "active": True,
        "external_id": "p-1",
    }
    return ProductFields(**(values | changes))  # type: ignore[arg-type]


OMITS = "omits rows whose quantities are all zero"
OURS = {
    "name": "Pomade",
    "barcode": None,
    "price": D("9.50"),
    "reorder_level": D(0),
    "active": True,
}


def test_a_product_the_hub_lacks_is_one_fixed_difference() -> None:
    assert product_differences({}, [_fields()]) == [
        Difference("product", "exists", "absent", "listed", True, sku="A")
    ]


def test_a_product_alike_on_both_sides_differs_in_nothing() -> None:
    assert product_differences({"A": OURS}, [_fields()]) == []


def test_each_field_that_differs_is_a_difference_of_its_own() -> None:
    found = _fields(name="Clay", active=False, reorder_level=D(3))
    assert product_differences({"A": OURS}, [found]) == [
        Difference("product", "name", "Pomade", "Clay", True, sku="A"),
        Difference("product", "reorder_level", D(0), D(3), True, sku="A"),
        Difference("product", "active", True, False, True, sku="A"),
    ]


@pytest.mark.parametrize(
    ("ours", "theirs", "expected"),
    [
        (None, (D(0), D(0)), []),
        (
            None,
            (D(2), D(3)),
            [
                ("available", None, D(2), "the hub had no row here"),
                ("on_hand", None, D(3), "the hub had no row here"),
            ],
        ),
        ((D(2), D(3)), (D(2), D(3)), []),
        ((D(2), D(3)), (D(1), D(3)), [("available", D(2), D(1), None)]),
        (
            (D(2), D(3)),
            (D(0), D(0)),
            [
                ("available", D(2), D(0), f"Depot {OMITS}"),
                ("on_hand", D(3), D(0), f"Depot {OMITS}"),
            ],
        ),
    ],
)
def test_stock_differences_by_field_with_why_absence_reads_as_zero(
    ours: tuple[Decimal, Decimal] | None,
    theirs: tuple[Decimal, Decimal],
    expected: list[tuple[str, Decimal | None, Decimal, str | None]],
) -> None:
    found = stock_differences("A", "Main", ours=ours, theirs=theirs, warehouse="Depot")
    assert found == [
        Difference("stock", name, hub, provider, False, sku="A", location="Main", note=note)
        for name, hub, provider, note in expected
    ]
