"""Pure translation between CIN7 Core JSON and tillsync values: no I/O."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

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
_FOUR_PLACES = Decimal("0.0001")
_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class SaleLine:
    sku: str
    name: str
    quantity: Decimal
    price: Decimal
    tax: Decimal = _ZERO


@dataclass(frozen=True, slots=True)
class StockRow:
    """Stock of one SKU at one location, summed over its bins and batches."""

    sku: str
    location: str
    available: Decimal
    on_hand: Decimal
    product_id: str | None
    name: str | None


@dataclass(frozen=True, slots=True)
class ProductFields:
    sku: str
    name: str
    barcode: str | None
    price: Decimal | None
    reorder_level: Decimal | None
    active: bool
    external_id: str | None


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
    every bin row. Rows without a SKU or a location cannot be placed and are skipped.
    """
    totals: dict[tuple[str, str], StockRow] = {}
    for row in rows:
        sku, location = _text(row.get("SKU")), _text(row.get("Location"))
        if sku is None or location is None:
            continue
        seen = totals.get((sku, location)) or StockRow(
            sku=sku, location=location, available=_ZERO, on_hand=_ZERO, product_id=None, name=None
        )
        totals[(sku, location)] = replace(
            seen,
            available=seen.available + (parse_decimal(row.get("Available")) or _ZERO),
            on_hand=seen.on_hand + (parse_decimal(row.get("OnHand")) or _ZERO),
            product_id=seen.product_id or _text(row.get("ID")),
            name=seen.name or _text(row.get("Name")),
        )
    return list(totals.values())


def product_fields(product: Mapping[str, Any]) -> ProductFields:
    """Our product fields from a CIN7 product; a product without a SKU is a ValueError."""
    sku = _text(product.get("SKU"))
    if sku is None:
        raise ValueError("CIN7 product has no SKU")
    price = parse_decimal(product.get("PriceTier1"))
    tiers = product.get("PriceTiers")
    if price is None and isinstance(tiers, Mapping):
        price = parse_decimal(tiers.get("Tier 1"))
    return ProductFields(
        sku=sku,
        name=_text(product.get("Name")) or sku,
        barcode=_text(product.get("Barcode")),
        price=price,
        reorder_level=parse_decimal(product.get("MinimumBeforeReorder")),
        active=product.get("Status") != "Deprecated",
        external_id=_text(product.get("ID")),
    )


def parse_decimal(value: object) -> Decimal | None:
    """A Decimal from a number or numeric text; None for anything else, never via float maths."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float | str):
        # str() of a float is its shortest exact repr: 497.1 stays 497.1, not 497.0999…
        try:
            result = Decimal(str(value).strip())
        except InvalidOperation:
            return None
    else:
        return None
    return result if result.is_finite() else None


_FRACTION = re.compile(r"(\.\d{1,6})\d*")
_DAY_FIRST = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")


def parse_datetime(value: object) -> dt.datetime | None:
    """An aware UTC datetime from CIN7's mixed formats; None when it cannot be read.

    ISO text with or without `Z`, an offset or up to 7 fraction digits; a bare date; and the
    tenant's `dd/MM/yyyy` of webhook payloads. Text without an offset is taken as UTC, as the
    API documents (some sale dates are tenant-local in practice; nothing here can tell).
    """
    if isinstance(value, dt.datetime):
        moment = value
    elif not isinstance(value, str) or not value.strip():
        return None
    else:
        parsed = _parse_text(value.strip())
        if parsed is None:
            return None
        moment = parsed
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def _parse_text(text: str) -> dt.datetime | None:
    day_first = _DAY_FIRST.fullmatch(text)
    if day_first:
        day, month, year, hour, minute, second = day_first.groups()
        try:
            return dt.datetime(  # noqa: DTZ001 - made aware by the caller
                int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
            )
        except ValueError:
            return None
    try:
        return dt.datetime.fromisoformat(_FRACTION.sub(r"\1", text, count=1))
    except ValueError:
        return None


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


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None
