"""Poster's wire format: ids and numbers as strings, quantities to five places, kopecks as
integers, flags as "0"/"1", unix seconds, JSON out."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

QUANTITY_PLACES = Decimal("0.00001")


def quantity(value: Decimal) -> str:
    """`"443.45000"`, as Poster writes `ingredient_left`."""
    return str(value.quantize(QUANTITY_PLACES))


def number(value: Decimal) -> str:
    """A plain number as a string: `"0"`, `"2.5"`."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def flag(value: bool) -> str:
    return "1" if value else "0"


def unix_seconds(moment: dt.datetime) -> str:
    return str(int(moment.timestamp()))


def decimal_of(value: object) -> Decimal | None:
    """A number from a string or a JSON number; None when it is not one."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None
    try:
        parsed = Decimal(str(value))
    except InvalidOperation:
        return None
    return parsed if parsed.is_finite() else None


def hex_token(length: int = 32) -> str:
    return secrets.token_hex(length // 2)


def dump_json(document: object) -> bytes:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False, default=_plain).encode()


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")
