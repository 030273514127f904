"""Depot's JSON into the hub's values, and our sale into Depot's JSON: no I/O."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from tests.support.depot import mapping
from tillsync.domain.catalog import ProductFields, StockRow
from tillsync.domain.sale_documents import SaleDocument
from tillsync.domain.sales import SaleLine
from tillsync.errors import Permanent

PRODUCT = {
    "id": "prd_000001ab12",
    "sku": "TEA-01",
    "name": "Green tea",
    "barcode": "4006381333931",
    "price": "4.50",
    "reorder_level": "12",
    "active": True,
    "updated_at": "2026-01-02T09:30:00.000Z",
}
STOCK = {
    "sku": "TEA-01",
    "product_id": "prd_000001ab12",
    "name": "Green tea",
    "location": "Main",
    "on_hand": "10",
    "available": "7.5",
    "updated_at": "2026-01-02T09:31:00.000Z",
}
SALE = {
    "id": "sal_000003cd34",
    "reference": "tillsync-sale-42",
    "number": "POS-42",
    "customer": None,
    "location": "Main",
    "note": "",
    "date": "2026-01-02",
    "status": "shipped",
    "lines": [
        {
            "sku": "TEA-01",
            "name": "Green tea",
            "quantity": "2",
            "price": "4.50",
            "tax": "0.90",
            "total": "9.90",
        }
    ],
    "created_at": "2026-01-02T09:32:00.000Z",
    "confirmed_at": "2026-01-02T09:32:01.000Z",
    "shipped_at": "2026-01-02T11:00:00.000Z",
}


def test_a_product_keeps_its_decimals_and_its_depot_id() -> None:
    assert mapping.product_fields(PRODUCT) == ProductFields(
        sku="TEA-01",
        name="Green tea",
        barcode="4006381333931",
        price=Decimal("4.50"),
        reorder_level=Decimal(12),
        active=True,
        external_id="prd_000001ab12",
    )


@pytest.mark.parametrize(
    ("changes", "field", "expected"),
    [
        ({"barcode": ""}, "barcode", None),
        ({"barcode": None}, "barcode", None),
        ({"reorder_level": None}, "reorder_level", None),
        ({"price": 3}, "price", Decimal(3)),
        ({"active": False}, "active", False),
    ],
)
def test_a_product_reads_what_depot_leaves_empty(
    changes: dict[str, Any], field: str, expected: object
) -> None:
    assert getattr(mapping.product_fields({**PRODUCT, **changes}), field) == expected


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"sku": None}, "product.sku"),
        ({"sku": ""}, "product.sku"),
        ({"price": 4.5}, "product.price"),  # a float would lose cents: refused
        ({"price": "four"}, "product.price"),
        ({"price": "NaN"}, "product.price"),
        ({"price": True}, "product.price"),
        ({"name": 7}, "product.name"),
    ],
)
def test_a_product_depot_would_not_send_is_permanent_and_names_the_field(
    changes: dict[str, Any], named: str
) -> None:
    with pytest.raises(Permanent, match=named.replace(".", r"\.")):
        mapping.product_fields({**PRODUCT, **changes})


def test_a_stock_row_is_one_sku_at_one_location() -> None:
    assert mapping.stock_row(STOCK) == StockRow(
        sku="TEA-01",
        location="Main",
        available=Decimal("7.5"),
        on_hand=Decimal(10),
        product_id="prd_000001ab12",
        name="Green tea",
    )


@pytest.mark.parametrize(
    ("envelope", "limit", "last", "total"),
    [
        ({"data": [STOCK, STOCK], "total": 5, "has_more": True}, 2, False, 5),
        ({"data": [STOCK], "total": 5, "has_more": False}, 2, True, 5),
        ({"data": [STOCK], "has_more": True}, 2, True, None),  # a short page ends it
        ({"data": [], "total": 0, "has_more": False}, 2, True, 0),
        ({"data": [STOCK, STOCK], "total": "5"}, 2, True, None),
    ],
)
def test_a_page_ends_when_depot_has_no_more_or_sends_a_short_one(
    envelope: dict[str, Any], limit: int, last: bool, total: int | None
) -> None:
    page = mapping.page(envelope, ["row"], limit=limit)
    assert (page.last, page.total, page.raw_count) == (last, total, len(envelope["data"]))


@pytest.mark.parametrize("envelope", [{}, {"data": None}, {"data": [1]}, {"data": {"a": 1}}])
def test_a_page_without_a_data_list_is_permanent(envelope: dict[str, Any]) -> None:
    with pytest.raises(Permanent, match="'data'"):
        mapping.page(envelope, [], limit=10)


@pytest.mark.parametrize(
    ("status", "done"),
    [
        ("draft", frozenset({"create"})),
        ("confirmed", frozenset({"create", "confirm"})),
        ("shipped", frozenset({"create", "confirm"})),
    ],
)
def test_a_found_sale_reports_the_steps_depot_has_done(status: str, done: frozenset[str]) -> None:
    found = mapping.remote_sale({**SALE, "status": status})
    assert (found.external_id, found.steps_done) == ("sal_000003cd34", done)


@pytest.mark.parametrize(
    ("reference", "ours"), [("tillsync-sale-42", "tillsync-sale-42"), (None, None), ("", None)]
)
def test_a_shipped_sale_carries_our_reference_only_when_it_has_one(
    reference: str | None, ours: str | None
) -> None:
    assert mapping.shipped_sale({**SALE, "reference": reference}).reference == ours


def test_an_external_sale_keeps_its_lines_in_decimals() -> None:
    sale = mapping.external_sale(SALE)
    assert (sale.external_id, sale.number, sale.location) == ("sal_000003cd34", "POS-42", "Main")
    (line,) = sale.lines
    assert (line.sku, line.quantity, line.price, line.tax, line.total) == (
        "TEA-01",
        Decimal(2),
        Decimal("4.50"),
        Decimal("0.90"),
        Decimal("9.90"),
    )


def test_a_sale_line_that_is_not_an_object_is_permanent() -> None:
    with pytest.raises(Permanent, match=r"sale\.lines\[0\]"):
        mapping.external_sale({**SALE, "lines": ["TEA-01"]})


def test_a_webhook_is_read_without_its_token() -> None:
    hook = {"id": "whk_1", "event": "stock.changed", "url": "https://hub/x", "active": False}
    found = mapping.remote_webhook(hook)
    assert (found.external_id, found.event_type, found.url, found.active) == (
        "whk_1",
        "stock.changed",
        "https://hub/x",
        False,
    )


def sale_document(location: str) -> SaleDocument:
    return SaleDocument(
        reference="tillsync-sale-42",
        number="POS-42",
        location=location,
        note="till 1",
        lines=[SaleLine("TEA-01", "Green tea", Decimal(2), Decimal("4.50"), Decimal("0.90"))],
        date=dt.date(2026, 1, 2),
    )


def test_a_sale_body_carries_our_reference_and_exact_decimals() -> None:
    body = mapping.sale_body(sale_document("Main"), location="Fallback")
    assert body == {
        "reference": "tillsync-sale-42",
        "number": "POS-42",
        "location": "Main",
        "note": "till 1",
        "date": "2026-01-02",
        "lines": [
            {
                "sku": "TEA-01",
                "name": "Green tea",
                "quantity": Decimal(2),
                "price": Decimal("4.50"),
                "tax": Decimal("0.90"),
            }
        ],
    }


def test_a_sale_without_a_location_goes_to_the_connections_location() -> None:
    assert mapping.sale_body(sale_document(""), location="Fallback")["location"] == "Fallback"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-02T09:30:00.000Z", dt.datetime(2026, 1, 2, 9, 30, tzinfo=dt.UTC)),
        ("2026-01-02T11:30:00+02:00", dt.datetime(2026, 1, 2, 9, 30, tzinfo=dt.UTC)),
    ],
)
def test_depot_times_become_utc(text: str, expected: dt.datetime) -> None:
    assert mapping.moment(text, "updated_at") == expected


@pytest.mark.parametrize("text", ["2026-01-02T09:30:00", "yesterday"])
def test_a_time_without_an_offset_is_permanent(text: str) -> None:
    with pytest.raises(Permanent, match="updated_at"):
        mapping.moment(text, "updated_at")
