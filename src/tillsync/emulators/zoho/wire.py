"""Zoho's wire format: digit-string ids, offset timestamps, numbers read leniently, JSON out."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from tillsync.clock import moment_of
from tillsync.emulators.zoho.errors import invalid

ID_DIGITS = 16


def new_id() -> str:
    """A Zoho id: a string of digits, never starting with 0."""
    return str(secrets.choice(range(1, 10))) + "".join(
        str(secrets.randbelow(10)) for _ in range(ID_DIGITS - 1)
    )


def format_time(moment: dt.datetime) -> str:
    """`2024-02-01T10:54:54+0000`, as Zoho writes `created_time` and `last_modified_time`."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def format_date(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d")


def parse_time(value: object, *, field: str) -> dt.datetime:
    """`yyyy-MM-ddTHH:mm:ssZ` (or an offset, `+0000` or `+00:00`)."""
    moment = moment_of(value) if isinstance(value, str) else None
    if moment is None:
        raise invalid(field)
    return moment.astimezone(dt.UTC)


def parse_date(value: object, *, field: str) -> str:
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise invalid(field) from None


def parse_number(value: object, *, field: str) -> Decimal:
    """A number or its text (clients send both)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise invalid(field)
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise invalid(field) from None
    if not number.is_finite():
        raise invalid(field)
    return number


def text(value: object, *, field: str, required: bool = False) -> str | None:
    if value is None or value == "":
        if required:
            raise invalid(field)
        return None
    if not isinstance(value, str):
        raise invalid(field)
    return value


def number_out(value: Decimal) -> float | int:
    """Stock and money as JSON numbers (Zoho writes floats such as `5.000000`)."""
    return int(value) if value == value.to_integral_value() else float(value)


def dump_json(document: object) -> bytes:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False, default=_plain).encode()


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return number_out(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")
