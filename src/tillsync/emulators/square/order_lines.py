"""An order's line items: checked against Square's limits, priced, and totalled in minor units."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tillsync.emulators.square.errors import SquareError, invalid, missing
from tillsync.emulators.square.records import Merchant
from tillsync.emulators.square.wire import (
    line_uid,
    list_field,
    money,
    parse_money,
    parse_quantity,
    quantity_text,
    text_field,
)

METADATA_KEY = re.compile(r"^[a-zA-Z0-9_-]{1,60}$")
MAX_METADATA = 10
MAX_LINES = 500
ITEM_TYPES = ("ITEM", "CUSTOM_AMOUNT", "GIFT_CARD")


def check_metadata(value: object, *, field: str) -> dict[str, str] | None:
    """Square's rules: at most 10 entries, keys of 1-60 `[a-zA-Z0-9_-]`, values ≤255 chars."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise SquareError(f"Expected an object for `{field}`.", code="EXPECTED_OBJECT", field=field)
    if len(value) > MAX_METADATA:
        raise invalid(field, f"`{field}` may hold at most {MAX_METADATA} entries.")
    for key, text in value.items():
        if not METADATA_KEY.match(key):
            raise invalid(f"{field}.{key}", f"Metadata key `{key}` is not valid.")
        if not isinstance(text, str) or len(text) > 255:
            raise invalid(
                f"{field}.{key}", "Metadata values are strings of at most 255 characters."
            )
    return dict(value)


def build_lines(
    merchant: Merchant, order: Mapping[str, Any], currency: str
) -> list[dict[str, Any]]:
    raw = list_field(order, "line_items", field="order.line_items")
    if len(raw) > MAX_LINES:
        raise invalid("order.line_items", f"An order holds at most {MAX_LINES} line items.")
    return [_line(merchant, item, f"order.line_items[{n}]", currency) for n, item in enumerate(raw)]


def _line(merchant: Merchant, item: object, field: str, currency: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise SquareError(f"Expected an object for `{field}`.", code="EXPECTED_OBJECT", field=field)
    quantity = parse_quantity(item.get("quantity"), field=f"{field}.quantity")
    name = text_field(item, "name", field=f"{field}.name", max_length=512)
    note = text_field(item, "note", field=f"{field}.note", max_length=2000)
    item_type = item.get("item_type", "ITEM")
    if item_type not in ITEM_TYPES:
        raise SquareError(
            f"`{field}.item_type` is not a valid value.",
            code="INVALID_ENUM_VALUE",
            field=f"{field}.item_type",
        )
    price: int | None = None
    if item.get("base_price_money") is not None:
        price, given = parse_money(item["base_price_money"], field=f"{field}.base_price_money")
        if given != currency:
            raise invalid(
                f"{field}.base_price_money.currency",
                f"The currency must be the location's currency, {currency}.",
            )
    line: dict[str, Any] = {"uid": item.get("uid") or line_uid(), "item_type": item_type}
    variation_id = item.get("catalog_object_id")
    if variation_id is not None:
        variation = merchant.catalog.get(str(variation_id))
        if variation is None or variation["type"] != "ITEM_VARIATION" or variation["is_deleted"]:
            raise invalid(
                f"{field}.catalog_object_id", f"Item variation `{variation_id}` was not found."
            )
        data = variation["item_variation_data"]
        parent = merchant.catalog.get(data.get("item_id", ""), {})
        name = parent.get("item_data", {}).get("name", name)
        line.update(
            catalog_object_id=variation["id"],
            catalog_version=variation["version"],
            variation_name=data.get("name", ""),
        )
        if price is None:
            price = data.get("price_money", {}).get("amount")
    if variation_id is None and not name:
        raise missing(f"{field}.name")
    if price is None:
        raise missing(f"{field}.base_price_money")
    total = int((Decimal(price) * quantity).to_integral_value(ROUND_HALF_UP))
    line.update(
        name=name,
        quantity=quantity_text(quantity),
        base_price_money=money(price, currency),
        variation_total_price_money=money(total, currency),
        gross_sales_money=money(total, currency),
        total_tax_money=money(0, currency),
        total_discount_money=money(0, currency),
        total_money=money(total, currency),
    )
    if note is not None:
        line["note"] = note
    metadata = check_metadata(item.get("metadata"), field=f"{field}.metadata")
    if metadata is not None:
        line["metadata"] = metadata
    return line


def totals(lines: list[dict[str, Any]], currency: str) -> dict[str, Any]:
    total = sum(line["total_money"]["amount"] for line in lines)
    zero = money(0, currency)
    return {
        "total_money": money(total, currency),
        "total_tax_money": zero,
        "total_discount_money": zero,
        "total_tip_money": zero,
        "total_service_charge_money": zero,
        "net_amount_due_money": money(total, currency),
        "net_amounts": {
            "total_money": money(total, currency),
            "tax_money": zero,
            "discount_money": zero,
            "tip_money": zero,
            "service_charge_money": zero,
        },
    }
