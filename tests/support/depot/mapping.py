"""Between Depot's JSON and the hub's values: pure functions, no I/O.

A document Depot would not send is `Permanent`, naming the field at fault.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from tillsync.connectors.contract import Account, Page, RemoteWebhook
from tillsync.domain.catalog import ProductFields, StockRow
from tillsync.domain.sale_documents import (
    ExternalLine,
    ExternalSale,
    RemoteSale,
    SaleDocument,
    ShippedSale,
)
from tillsync.errors import Permanent

CREATE, CONFIRM = "create", "confirm"
CONFIRMED_STATUSES = frozenset({"confirmed", "shipped"})
Json = Mapping[str, Any]


def account(document: Json) -> Account:
    return Account(name=_text(document, "name", "account") or "")


def product_fields(document: Json) -> ProductFields:
    return ProductFields(
        sku=_required(document, "sku", "product"),
        name=_text(document, "name", "product") or "",
        barcode=_text(document, "barcode", "product") or None,
        price=_decimal(document, "price", "product"),
        reorder_level=_decimal(document, "reorder_level", "product"),
        active=document.get("active") is not False,
        external_id=_text(document, "id", "product"),
    )


def stock_row(document: Json) -> StockRow:
    return StockRow(
        sku=_required(document, "sku", "stock"),
        location=_required(document, "location", "stock"),
        available=_decimal(document, "available", "stock") or Decimal(0),
        on_hand=_decimal(document, "on_hand", "stock") or Decimal(0),
        product_id=_text(document, "product_id", "stock"),
        name=_text(document, "name", "stock"),
    )


def page(envelope: Json, rows: list[Any], *, limit: int) -> Page[Any]:
    """`rows` already mapped; the last page is the one Depot says has no more (or a short one)."""
    data = data_of(envelope)
    total = envelope.get("total")
    return Page(
        rows=rows,
        last=envelope.get("has_more") is not True or len(data) < limit,
        total=total if isinstance(total, int) and not isinstance(total, bool) else None,
        raw_count=len(data),
    )


def data_of(envelope: Json) -> list[Json]:
    data = envelope.get("data")
    if not isinstance(data, list) or not all(isinstance(row, Mapping) for row in data):
        raise Permanent("a Depot page must hold a 'data' list of objects")
    return data


def steps_done(document: Json) -> frozenset[str]:
    """A sale found at Depot was created; `confirm` is done once its status is past draft."""
    status = document.get("status")
    return frozenset({CREATE, CONFIRM}) if status in CONFIRMED_STATUSES else frozenset({CREATE})


def remote_sale(document: Json) -> RemoteSale:
    return RemoteSale(
        external_id=_required(document, "id", "sale"), steps_done=steps_done(document)
    )


def shipped_sale(document: Json) -> ShippedSale:
    return ShippedSale(
        external_id=_required(document, "id", "sale"),
        reference=_text(document, "reference", "sale") or None,
    )


def external_sale(document: Json) -> ExternalSale:
    lines = document.get("lines")
    if not isinstance(lines, list):
        raise Permanent("sale.lines must be a list")
    return ExternalSale(
        external_id=_required(document, "id", "sale"),
        reference=_text(document, "reference", "sale") or None,
        number=_text(document, "number", "sale"),
        customer=_text(document, "customer", "sale"),
        location=_text(document, "location", "sale") or "",
        lines=[_external_line(line, f"sale.lines[{i}]") for i, line in enumerate(lines)],
    )


def remote_webhook(document: Json) -> RemoteWebhook:
    return RemoteWebhook(
        external_id=_required(document, "id", "webhook"),
        event_type=_required(document, "event", "webhook"),
        url=_required(document, "url", "webhook"),
        active=document.get("active") is True,
    )


def sale_body(document: SaleDocument, *, location: str) -> dict[str, Any]:
    """A new Depot sale for our document; `reference` finds it again after a lost answer."""
    return {
        "reference": document.reference,
        "number": document.number,
        "location": document.location or location,
        "note": document.note,
        "date": document.date.isoformat(),
        "lines": [
            {
                "sku": line.sku,
                "name": line.name,
                "quantity": line.quantity,
                "price": line.price,
                "tax": line.tax,
            }
            for line in document.lines
        ],
    }


def moment(text: str, where: str) -> dt.datetime:
    """Depot's `…Z` times, as aware UTC datetimes."""
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise Permanent(f"{where} is not an ISO 8601 time") from None
    if value.tzinfo is None:
        raise Permanent(f"{where} has no UTC offset")
    return value.astimezone(dt.UTC)


def _external_line(line: object, where: str) -> ExternalLine:
    if not isinstance(line, Mapping):
        raise Permanent(f"{where} must be an object")
    zero = Decimal(0)
    return ExternalLine(
        sku=_required(line, "sku", where),
        name=_text(line, "name", where) or "",
        quantity=_decimal(line, "quantity", where) or zero,
        price=_decimal(line, "price", where) or zero,
        tax=_decimal(line, "tax", where) or zero,
        total=_decimal(line, "total", where) or zero,
        product_id=None,
    )


def _text(document: Json, name: str, where: str) -> str | None:
    value = document.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise Permanent(f"{where}.{name} must be text")
    return value


def _required(document: Json, name: str, where: str) -> str:
    value = _text(document, name, where)
    if not value:
        raise Permanent(f"{where}.{name} is missing")
    return value


def _decimal(document: Json, name: str, where: str) -> Decimal | None:
    """Depot writes decimals as strings; a JSON number is read too, never through a float."""
    value = document.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise Permanent(f"{where}.{name} must be a decimal string")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise Permanent(f"{where}.{name} must be a decimal string") from None
    if not number.is_finite():
        raise Permanent(f"{where}.{name} must be finite")
    return number
