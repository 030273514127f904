"""Dine's order rules: a body checked whole, lines by menu item or by name and price, and
the `Idempotency-Key`: the same key and body answer the first order, another body 422."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from tillsync.emulators.dine.errors import DineError, invalid
from tillsync.emulators.dine.menu import MenuItem, money

MAX_LINES, MAX_KEY, MAX_REFERENCE = 100, 255, 100
NAME_MAX, NOTE_MAX, CUSTOMER_MAX = 200, 500, 100


@dataclass(slots=True)
class Book:
    """A restaurant's orders, by id, and the keys that made them."""

    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    keys: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Idempotency key → (fingerprint of the body, the order it made)."""

    def by_reference(self, reference: str) -> list[dict[str, Any]]:
        return [o for o in self.orders.values() if o["reference"] == reference]


def create(
    book: Book,
    body: Any,
    *,
    key: str | None,
    menu: Mapping[str, MenuItem],
    currency: str,
    now: dt.datetime,
) -> tuple[dict[str, Any], bool]:
    """The order and whether it was made before under this key; a refusal leaves the key free."""
    if not key:
        raise DineError(
            "the Idempotency-Key header is required",
            code="idempotency_key_required",
            status=400,
            field="Idempotency-Key",
        )
    if len(key) > MAX_KEY:
        raise invalid("Idempotency-Key", f"at most {MAX_KEY} characters")
    fingerprint = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
    earlier = book.keys.get(key)
    if earlier is not None:
        if earlier[0] != fingerprint:
            raise DineError(
                "this Idempotency-Key was used with another request body",
                code="idempotency_key_reused",
                field="Idempotency-Key",
            )
        return book.orders[earlier[1]], True
    order = _order(body, menu=menu, currency=currency, now=now)
    book.orders[order["id"]] = order
    book.keys[key] = (fingerprint, order["id"])
    return order, False


def _order(
    body: Any, *, menu: Mapping[str, MenuItem], currency: str, now: dt.datetime
) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise invalid("body", "expected a JSON object")
    reference = body.get("reference")
    if not isinstance(reference, str) or not 1 <= len(reference) <= MAX_REFERENCE:
        raise invalid("reference", f"a text of 1 to {MAX_REFERENCE} characters is required")
    if body.get("currency") != currency:
        raise DineError(
            f"the restaurant takes orders in {currency}", code="currency_mismatch", field="currency"
        )
    lines = body.get("lines")
    if not isinstance(lines, list) or not 1 <= len(lines) <= MAX_LINES:
        raise invalid("lines", f"from 1 to {MAX_LINES} lines are required")
    made = [_line(line, f"lines[{i}]", menu) for i, line in enumerate(lines)]
    return {
        "id": "ord_" + secrets.token_hex(10),
        "reference": reference,
        "status": "received",
        "currency": currency,
        "lines": made,
        "total": money(sum((Decimal(line["total"]) for line in made), Decimal(0))),
        "note": _text(body, "note", "note", limit=NOTE_MAX),
        "customer": _customer(body.get("customer")),
        "created_at": now.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
    }


def _line(line: Any, where: str, menu: Mapping[str, MenuItem]) -> dict[str, Any]:
    if not isinstance(line, dict):
        raise invalid(where, "expected a JSON object")
    quantity = _decimal(line.get("quantity"), f"{where}.quantity", places=3)
    if quantity <= 0:
        raise invalid(f"{where}.quantity", "must be more than 0")
    item_id = line.get("menu_item_id")
    if item_id is not None:
        item = menu.get(item_id) if isinstance(item_id, str) else None
        if item is None:
            raise invalid(f"{where}.menu_item_id", "no such menu item")
        if not item.available:
            raise DineError(
                f"{item.name} is not available", code="item_unavailable", field=f"{where}"
            )
        name, price = item.name, item.price
    else:
        name = _text(line, "name", f"{where}.name", limit=NAME_MAX) or ""
        if not name:
            raise invalid(f"{where}.name", "a line names a menu_item_id, or a name and unit_price")
        price = _decimal(line.get("unit_price"), f"{where}.unit_price", places=2)
        if price < 0:
            raise invalid(f"{where}.unit_price", "must not be negative")
    return {
        "menu_item_id": item_id,
        "name": name,
        "quantity": format(quantity.normalize(), "f"),
        "unit_price": money(price),
        "total": money(price * quantity),
        "note": _text(line, "note", f"{where}.note", limit=NOTE_MAX),
    }


def _customer(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise invalid("customer", "expected a JSON object")
    return {
        "name": _text(value, "name", "customer.name", limit=CUSTOMER_MAX),
        "phone": _text(value, "phone", "customer.phone", limit=CUSTOMER_MAX),
    }


def _text(body: Mapping[str, Any], name: str, where: str, *, limit: int) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise invalid(where, f"a text of at most {limit} characters")
    return value


def _decimal(value: Any, where: str, *, places: int) -> Decimal:
    """A decimal string (Dine takes amounts and quantities as strings, never floats)."""
    if not isinstance(value, str):
        raise invalid(where, 'expected a decimal string such as "2" or "12.50"')
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise invalid(where, "not a number") from None
    exponent = number.as_tuple().exponent
    if not number.is_finite() or (isinstance(exponent, int) and -exponent > places):
        raise invalid(where, f"a finite number with at most {places} decimal places")
    return number
