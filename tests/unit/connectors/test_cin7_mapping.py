"""CIN7 Core JSON ↔ tillsync values, on payloads shaped like the real API's."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from tillsync.connectors.cin7.mapping import (
    SaleLine,
    StockRow,
    invoice_body,
    invoiced,
    order_authorised,
    order_body,
    parse_datetime,
    parse_decimal,
    product_fields,
    sale_body,
    shipment_authorised,
    stock_rows,
)
from tillsync.connectors.cin7.values import InvalidRecord
from tillsync.connectors.http import dump_json

SALE_ID = "916ab4c0-6ccb-4c93-873d-0603859050e4"
UTC = dt.UTC

PRODUCT: dict[str, Any] = json.loads(
    """{
      "ID": "d3f8c5a2-5b1e-4f51-9c7e-2f7f5c1f0a11", "SKU": "POM-STRONG", "Name": "Strong Pomade",
      "Category": "Hair Care", "Brand": "Tomb45", "Type": "Stock", "CostingMethod": "FIFO",
      "UOM": "Item", "Barcode": "0712345678901", "MinimumBeforeReorder": 5.0000,
      "ReorderQuantity": 20.0000, "PriceTier1": 18.9500,
      "PriceTiers": {"Tier 1": 18.95, "Tier 2": 17.0},
      "Status": "Active", "LastModifiedOn": "2026-01-02T09:15:37.937Z"
    }"""
)

AVAILABILITY: list[dict[str, Any]] = json.loads(
    """[
      {"ID": "p-1", "SKU": "POM-STRONG", "Name": "Strong Pomade", "Barcode": "0712345678901",
       "Location": "Main Warehouse", "Bin": "A1", "Batch": null, "ExpiryDate": null,
       "OnHand": 10.0000, "Allocated": 2.0000, "Available": 8.0000, "OnOrder": 20.0000,
       "StockOnHand": 50.0000, "InTransit": 0.0000, "NextDeliveryDate": null},
      {"ID": "p-1", "SKU": "POM-STRONG", "Name": "Strong Pomade", "Barcode": "0712345678901",
       "Location": "Main Warehouse", "Bin": "A2", "Batch": "B-77",
       "ExpiryDate": "2027-01-01T00:00:00",
       "OnHand": 3.5, "Allocated": 0, "Available": 3.5, "OnOrder": 20.0000,
       "StockOnHand": 17.5, "InTransit": 0, "NextDeliveryDate": null},
      {"ID": "p-1", "SKU": "POM-STRONG", "Name": "Strong Pomade", "Location": "Shop Front",
       "Bin": null, "Batch": null, "OnHand": 0.1, "Allocated": 0, "Available": 0.1},
      {"ID": "p-2", "SKU": "BEARD-OIL", "Name": "Beard Oil", "Location": "Main Warehouse",
       "Bin": null, "Batch": null, "OnHand": "497.0000", "Allocated": "0", "Available": "497.0000"},
      {"ID": "p-3", "SKU": null, "Name": "Broken row", "Location": "Main Warehouse",
       "OnHand": 1, "Available": 1}
    ]"""
)


def lines() -> list[SaleLine]:
    return [
        SaleLine(
            sku="POM-STRONG",
            name="Strong Pomade",
            quantity=Decimal(2),
            price=Decimal("18.95"),
            tax=Decimal(0),
        ),
        SaleLine(
            sku="BEARD-OIL",
            name="Beard Oil",
            quantity=Decimal("0.5"),
            price=Decimal("12.333333"),
            tax=Decimal("0.62"),
        ),
    ]


def test_sale_body_skips_the_quote_and_carries_our_key() -> None:
    body = sale_body(
        external_id="tillsync:sale:42",
        customer="Walk-in Customer",
        location="Main Warehouse",
        reference="POS #42",
        note="Paid by card",
    )
    assert body == {
        "Customer": "Walk-in Customer",
        "Location": "Main Warehouse",
        "SkipQuote": True,
        "ExternalID": "tillsync:sale:42",
        "CustomerReference": "POS #42",
        "Note": "Paid by card",
    }


def test_sale_body_leaves_out_empty_optionals_and_cuts_a_long_reference() -> None:
    body = sale_body(external_id="k", customer="C", location="L", reference="r" * 300, note=None)
    assert "Note" not in body
    assert body["CustomerReference"] == "r" * 256


@pytest.mark.parametrize("key", ["", "k" * 257])
def test_sale_body_refuses_a_key_cin7_cannot_store_whole(key: str) -> None:
    with pytest.raises(ValueError, match="external_id"):
        sale_body(external_id=key, customer="C", location="L", reference=None, note=None)


def test_order_body_authorises_and_ships_with_exact_line_totals() -> None:
    body = order_body(sale_id=SALE_ID, lines=lines())
    assert body["SaleID"] == SALE_ID
    assert body["Status"] == "AUTHORISED"
    assert body["AutoPickPackShipMode"] == "AUTOPICKPACKSHIP"
    assert body["Lines"] == [
        {
            "SKU": "POM-STRONG",
            "Name": "Strong Pomade",
            "Quantity": Decimal("2.0000"),
            "Price": Decimal("18.9500"),
            "Discount": Decimal(0),
            "Tax": Decimal("0.0000"),
            "TaxRule": "Tax Exempt",
            "Total": Decimal("37.9000"),
        },
        {
            "SKU": "BEARD-OIL",
            "Name": "Beard Oil",
            "Quantity": Decimal("0.5000"),
            "Price": Decimal("12.3333"),
            "Discount": Decimal(0),
            "Tax": Decimal("0.6200"),
            "TaxRule": "Tax Exempt",
            "Total": Decimal("6.1667"),
        },
    ]
    assert b'"Total":6.1667' in dump_json(body)


def test_order_body_takes_a_tax_rule_and_a_memo() -> None:
    body = order_body(sale_id=SALE_ID, lines=lines()[:1], tax_rule="GST on Income", memo="POS 42")
    assert body["Lines"][0]["TaxRule"] == "GST on Income"
    assert body["Memo"] == "POS 42"


def test_order_without_lines_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one line"):
        order_body(sale_id=SALE_ID, lines=[])


def test_invoice_body_uses_the_sale_as_its_task_and_books_every_line() -> None:
    body = invoice_body(
        sale_id=SALE_ID,
        lines=lines(),
        invoice_date=dt.date(2026, 1, 5),
        due_date=dt.date(2026, 2, 4),
        account="4000",
    )
    assert body["SaleID"] == SALE_ID
    assert body["TaskID"] == SALE_ID
    assert body["Status"] == "AUTHORISED"
    assert body["InvoiceDate"] == "2026-01-05"
    assert body["InvoiceDueDate"] == "2026-02-04"
    assert [line["Account"] for line in body["Lines"]] == ["4000", "4000"]
    assert body["Lines"][0]["Total"] == Decimal("37.9000")


def test_stock_rows_sum_bins_and_batches_per_sku_and_location() -> None:
    assert stock_rows(AVAILABILITY) == [
        StockRow(
            sku="POM-STRONG",
            location="Main Warehouse",
            available=Decimal("11.5"),
            on_hand=Decimal("13.5"),
            product_id="p-1",
            name="Strong Pomade",
        ),
        StockRow(
            sku="POM-STRONG",
            location="Shop Front",
            available=Decimal("0.1"),
            on_hand=Decimal("0.1"),
            product_id="p-1",
            name="Strong Pomade",
        ),
        StockRow(
            sku="BEARD-OIL",
            location="Main Warehouse",
            available=Decimal("497.0000"),
            on_hand=Decimal("497.0000"),
            product_id="p-2",
            name="Beard Oil",
        ),
    ]


def test_stock_rows_of_nothing_is_nothing() -> None:
    assert stock_rows([]) == []


def test_product_fields_from_a_full_product() -> None:
    fields = product_fields(PRODUCT)
    assert fields.sku == "POM-STRONG"
    assert fields.name == "Strong Pomade"
    assert fields.barcode == "0712345678901"
    assert fields.price == Decimal("18.95")
    assert fields.reorder_level == Decimal("5.0")
    assert fields.active is True
    assert fields.external_id == "d3f8c5a2-5b1e-4f51-9c7e-2f7f5c1f0a11"


def test_product_price_falls_back_to_the_tier_map_and_deprecated_is_inactive() -> None:
    product = {
        "SKU": "OLD",
        "PriceTiers": {"Tier 1": "7.50"},
        "Status": "Deprecated",
        "Barcode": "",
    }
    fields = product_fields(product)
    assert fields.price == Decimal("7.50")
    assert fields.active is False
    assert fields.barcode is None
    assert fields.name == "OLD"
    assert fields.reorder_level is None


def test_product_without_sku_is_refused() -> None:
    with pytest.raises(InvalidRecord, match="SKU"):
        product_fields({"Name": "Nameless"})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("1.25"), Decimal("1.25")),
        (497, Decimal(497)),
        (0.1, Decimal("0.1")),
        (18.95, Decimal("18.95")),
        ("497.0000", Decimal("497.0000")),
        (" -3.5 ", Decimal("-3.5")),
        ("1e3", Decimal(1000)),
        ("", None),
        ("abc", None),
        ("1,234.00", None),
        ("NaN", None),
        (float("inf"), None),
        (True, None),
        (None, None),
        ([1], None),
    ],
)
def test_parse_decimal_is_lenient_and_exact(value: object, expected: Decimal | None) -> None:
    assert parse_decimal(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2017-11-22T05:49:37.937Z", dt.datetime(2017, 11, 22, 5, 49, 37, 937000, tzinfo=UTC)),
        ("2017-11-22T05:49:37.21", dt.datetime(2017, 11, 22, 5, 49, 37, 210000, tzinfo=UTC)),
        ("2017-11-22T05:49:37.9370001Z", dt.datetime(2017, 11, 22, 5, 49, 37, 937000, tzinfo=UTC)),
        ("2017-11-22T00:00:00", dt.datetime(2017, 11, 22, tzinfo=UTC)),
        ("2017-11-22T10:00:00+10:00", dt.datetime(2017, 11, 22, tzinfo=UTC)),
        ("2017-11-22", dt.datetime(2017, 11, 22, tzinfo=UTC)),
        ("29/01/2018", dt.datetime(2018, 1, 29, tzinfo=UTC)),
        ("29/01/2018 14:05:09", dt.datetime(2018, 1, 29, 14, 5, 9, tzinfo=UTC)),
        (dt.datetime(2020, 1, 1, 12), dt.datetime(2020, 1, 1, 12, tzinfo=UTC)),  # noqa: DTZ001
        ("31/02/2018", None),
        ("yesterday", None),
        ("", None),
        (None, None),
        (1516406400, None),
    ],
)
def test_parse_datetime_reads_cin7_formats_as_aware_utc(
    value: object, expected: dt.datetime | None
) -> None:
    parsed = parse_datetime(value)
    assert parsed == expected
    if parsed is not None:
        assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    ("sale", "authorised"),
    [
        ({"Order": {"Status": "AUTHORISED"}}, True),
        ({"Order": {"Status": "AUTH_NO_ALLOC"}}, True),
        ({"Order": {"Status": "FULFILLED"}}, True),
        ({"Order": {"Status": "DRAFT"}}, False),
        ({"Order": {"Status": "NOT AVAILABLE"}}, False),
        ({"Order": {"Status": "VOIDED"}}, False),
        ({"OrderStatus": "AUTHORISED"}, True),
        ({"OrderStatus": "NOTAUTHORISED"}, False),
        ({"Status": "BACKORDERED"}, True),
        ({"Status": "INVOICED / CREDITED"}, True),
        ({"Status": "ORDERING"}, False),
        ({"Status": "VOIDED"}, False),
        ({}, False),
    ],
)
def test_order_authorised(sale: dict[str, Any], authorised: bool) -> None:
    assert order_authorised(sale) is authorised


@pytest.mark.parametrize(
    ("sale", "done"),
    [
        ({"Invoices": [{"TaskID": SALE_ID, "Status": "AUTHORISED"}]}, True),
        ({"Invoices": [{"TaskID": SALE_ID, "Status": "DRAFT"}]}, False),
        ({"Invoices": [{"Status": "VOIDED"}, {"Status": "PAID"}]}, True),
        ({"CombinedInvoiceStatus": "INVOICED"}, True),
        ({"CombinedInvoiceStatus": "INVOICED / CREDITED"}, True),
        ({"CombinedInvoiceStatus": "NOT INVOICED"}, False),
        ({"Status": "INVOICED / CREDITED"}, True),
        ({"Status": "COMPLETED"}, True),
        ({"Status": "ORDERED"}, False),
        ({"Invoices": []}, False),
    ],
)
def test_invoiced(sale: dict[str, Any], done: bool) -> None:
    assert invoiced(sale) is done


@pytest.mark.parametrize(
    ("row", "shipped"),
    [
        ({"CombinedShippingStatus": "SHIPPED", "FulFilmentStatus": "FULFILLED"}, True),
        ({"CombinedShippingStatus": "PARTIALLY SHIPPED"}, True),
        ({"FulFilmentStatus": "PARTIALLY FULFILLED"}, True),
        ({"CombinedShippingStatus": "NOT SHIPPED", "FulFilmentStatus": "NOT FULFILLED"}, False),
        ({"CombinedShippingStatus": "SHIPPING"}, False),
        ({"CombinedShippingStatus": "NOT AVAILABLE"}, False),
        ({"CombinedShippingStatus": "VOIDED"}, False),
        ({"CombinedShippingStatus": None}, False),
        ({}, False),
    ],
)
def test_shipment_authorised_reads_whole_statuses(row: dict[str, Any], shipped: bool) -> None:
    assert shipment_authorised(row) is shipped
