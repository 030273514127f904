"""Pure translation between CIN7 Core JSON and tillsync values: no I/O."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tillsync.connectors.cin7 import values
from tillsync.connectors.cin7.values import parse_datetime, parse_decimal
from tillsync.domain.catalog import ProductFields, StockRow
from tillsync.domain.sales import SaleLine

__all__ = [
    "DEFAULT_TAX_RULE",
    "ProductFields",
    "SaleLine",
    "StockRow",
    "invoice_body",
    "invoiced",
    "order_authorised",
    "order_body",
    "parse_datetime",
    "parse_decimal",
    "product_fields",
    "sale_body",
    "shipment_authorised",
    "stock_rows",
]

DEFAULT_TAX_RULE = "Tax Exempt"
MAX_TEXT = 256  # ExternalID and CustomerReference
# What the catalog and ledger columns hold.
MAX_SKU, MAX_LOCATION, MAX_NAME, MAX_BARCODE, MAX_ID = 100, 200, 300, 64, 100
_FOUR_PLACES = Decimal("0.0001")
_ZERO = Decimal(0)


def sale_body(
    *, external_id: str, customer: str, location: str, reference: str | None, note: str | None
) -> dict[str, Any]:
    """POST /sale: a simple sale with the quote skipped, keyed by our idempotency key."""
    if not external_id or len(external_id) > MAX_TEXT:
        raise ValueError(f"external_id must be 1 to {MAX_TEXT} characters")
    body: dict[str, Any] = {
        "Customer": customer,
        "Location": location,
        "SkipQuote": True,
        "ExternalID": external_id,
    }
    if reference:
        body["CustomerReference"] = reference[:MAX_TEXT]
    if note:
        body["Note"] = note
    return body


def order_body(
    *,
    sale_id: str,
    lines: Iterable[SaleLine],
    tax_rule: str = DEFAULT_TAX_RULE,
    memo: str | None = None,
) -> dict[str, Any]:
    """POST /sale/order: authorised at once and picked, packed and shipped automatically."""
    body: dict[str, Any] = {
        "SaleID": sale_id,
        "Status": "AUTHORISED",
        "AutoPickPackShipMode": "AUTOPICKPACKSHIP",
        "Lines": _lines(lines, tax_rule=tax_rule),
    }
    if memo:
        body["Memo"] = memo
    return body


def invoice_body(
    *,
    sale_id: str,
    lines: Iterable[SaleLine],
    invoice_date: dt.date,
    due_date: dt.date,
    account: str,
    tax_rule: str = DEFAULT_TAX_RULE,
) -> dict[str, Any]:
    """POST /sale/invoice for a simple sale, whose one task carries the sale's own ID."""
    rows = _lines(lines, tax_rule=tax_rule)
    for row in rows:
        row["Account"] = account
    return {
        "SaleID": sale_id,
        "TaskID": sale_id,
        "Status": "AUTHORISED",
        "InvoiceDate": _day(invoice_date),
        "InvoiceDueDate": _day(due_date),
        "Lines": rows,
    }


def _lines(lines: Iterable[SaleLine], *, tax_rule: str) -> list[dict[str, Any]]:
    rows = []
    for line in lines:
        quantity, price = _four(line.quantity), _four(line.price)
        rows.append(
            {
                "SKU": line.sku,
                "Name": line.name,
                "Quantity": quantity,
                "Price": price,
                "Discount": _ZERO,
                "Tax": _four(line.tax),
                "TaxRule": tax_rule,
                "Total": _four(quantity * price),
            }
        )
    if not rows:
        raise ValueError("a CIN7 order or invoice needs at least one line")
    return rows


def _four(value: Decimal) -> Decimal:
    # CIN7 keeps prices, quantities, tax and totals to 4 places and checks Total against them.
    return value.quantize(_FOUR_PLACES, rounding=ROUND_HALF_UP)


def _day(value: dt.date) -> str:
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def stock_rows(rows: Iterable[Mapping[str, Any]]) -> list[StockRow]:
    """Sum /ref/productavailability rows (one per bin and batch) per SKU and location.

    Only Available and OnHand are summed: CIN7 repeats OnOrder and InTransit per location on
    every bin row. A row whose SKU or Location is absent cannot be placed and is skipped; a
    value CIN7 never sends (text where a number goes, NaN, a number out of range, an empty
    or over-long SKU, a NUL) is `values.InvalidRecord`, named by its path (`[3].Available`).
    """
    totals: dict[tuple[str, str], StockRow] = {}
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise values.InvalidRecord("must be an object", field=f"[{index}]")
        if row.get("SKU") is None or row.get("Location") is None:
            continue
        at = f"[{index}]."
        sku = values.text(row["SKU"], field=at + "SKU", max_length=MAX_SKU)
        location = values.text(row["Location"], field=at + "Location", max_length=MAX_LOCATION)
        available = values.quantity(row.get("Available"), field=at + "Available")
        on_hand = values.quantity(row.get("OnHand"), field=at + "OnHand")
        seen = totals.get((sku, location)) or StockRow(
            sku=sku, location=location, available=_ZERO, on_hand=_ZERO, product_id=None, name=None
        )
        totals[(sku, location)] = replace(
            seen,
            available=values.quantity(seen.available + available, field=at + "Available"),
            on_hand=values.quantity(seen.on_hand + on_hand, field=at + "OnHand"),
            product_id=seen.product_id
            or values.optional_text(row.get("ID"), field=at + "ID", max_length=MAX_ID, cut=False),
            name=seen.name
            or values.optional_text(
                row.get("Name"), field=at + "Name", max_length=MAX_NAME, cut=True
            ),
        )
    return list(totals.values())


def product_fields(product: Mapping[str, Any]) -> ProductFields:
    """Our product fields from a CIN7 product; a value CIN7 never sends (no SKU, a price that
    is not a number or out of range, a NUL) is `values.InvalidRecord` naming its field."""
    sku = values.text(product.get("SKU"), field="SKU", max_length=MAX_SKU)
    price = values.amount(product.get("PriceTier1"), field="PriceTier1")
    tiers = product.get("PriceTiers")
    if price is None and isinstance(tiers, Mapping):
        price = values.amount(tiers.get("Tier 1"), field="PriceTiers.Tier 1")
    name = values.optional_text(product.get("Name"), field="Name", max_length=MAX_NAME, cut=True)
    return ProductFields(
        sku=sku,
        name=name or sku,
        barcode=values.optional_text(
            product.get("Barcode"), field="Barcode", max_length=MAX_BARCODE, cut=False
        ),
        price=price,
        reorder_level=values.amount(
            product.get("MinimumBeforeReorder"), field="MinimumBeforeReorder"
        ),
        active=product.get("Status") != "Deprecated",
        external_id=values.optional_text(
            product.get("ID"), field="ID", max_length=MAX_ID, cut=False
        ),
    )


_AFTER_ORDER = frozenset(
    {"ORDERED", "BACKORDERED", "PICKING", "PICKED", "PACKING", "PACKED", "SHIPPING", "SHIPPED"}
    | {"PARTIALLY PICKED", "PARTIALLY PACKED", "PARTIALLY SHIPPED", "INVOICED", "CREDITED"}
    | {"COMPLETED"}
)
_ORDER_DONE = frozenset({"AUTHORISED", "AUTH_NO_ALLOC", "FULFILLED", "CLOSED"})
_INVOICE_DONE = frozenset({"AUTHORISED", "PAID", "PARTIALLY PAID"})
_SHIPPED = frozenset({"SHIPPED", "PARTIALLY SHIPPED", "FULFILLED", "PARTIALLY FULFILLED"})


def order_authorised(sale: Mapping[str, Any]) -> bool:
    """Whether the sale's order is authorised (or past it), from GET /sale or a /saleList row."""
    order = sale.get("Order")
    status = order.get("Status") if isinstance(order, Mapping) else sale.get("OrderStatus")
    if status is not None:
        return bool(_parts(status) & _ORDER_DONE)
    return bool(_parts(sale.get("Status")) & _AFTER_ORDER)


def invoiced(sale: Mapping[str, Any]) -> bool:
    """Whether the sale has an authorised invoice, from GET /sale or a /saleList row."""
    invoices = sale.get("Invoices")
    if isinstance(invoices, list) and invoices:
        return any(
            isinstance(inv, Mapping) and bool(_parts(inv.get("Status")) & _INVOICE_DONE)
            for inv in invoices
        )
    combined = sale.get("CombinedInvoiceStatus")
    if combined is not None:
        return "INVOICED" in _parts(combined)
    return bool(_parts(sale.get("Status")) & {"INVOICED", "CREDITED", "COMPLETED"})


def shipment_authorised(sale: Mapping[str, Any]) -> bool:
    """Whether a shipment of the sale is authorised, what Sale/ShipmentAuthorised announces,
    from a /saleList row (its `CombinedShippingStatus` or `FulFilmentStatus`)."""
    shipping = _parts(sale.get("CombinedShippingStatus")) | _parts(sale.get("FulFilmentStatus"))
    return bool(shipping & _SHIPPED)


def _parts(status: object) -> set[str]:
    """The pieces of a compound status ("INVOICED / CREDITED"), so matching is "contains"
    without letting "NOT INVOICED" count as "INVOICED"."""
    if not isinstance(status, str):
        return set()
    return {part.strip().upper() for part in status.split("/") if part.strip()}
