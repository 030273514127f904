"""Values read out of CIN7 JSON: exact numbers in range, text the database can store, dates."""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from tillsync.errors import Permanent

__all__ = [
    "MAX_QUANTITY",
    "InvalidRecord",
    "amount",
    "optional_text",
    "parse_datetime",
    "parse_decimal",
    "quantity",
    "storable",
    "text",
]

MAX_QUANTITY = Decimal(1_000_000_000)
"""Far above any stock or price a business holds; far below what the ledger's integers hold."""
_FOUR_PLACES = Decimal("0.0001")
_ZERO = Decimal(0)
_PLAIN = re.compile(r"-?\d{1,15}(?:\.\d{1,15})?")
"""Numeric text as CIN7 writes it: no exponent, no NaN, no Infinity, no thousands separator."""
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")
"""NUL (PostgreSQL text cannot hold it) and lone surrogates (no encoding can)."""
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class InvalidRecord(Permanent):
    """A CIN7 record holds a value CIN7 does not send: reading it again cannot help.

    `field` is its path in the record list (`[3].Available`) or record (`PriceTier1`); the
    message names the field and the problem, never the value.
    """

    def __init__(self, problem: str, *, field: str) -> None:
        super().__init__(f"{field} {problem}")
        self.field = field
        self.problem = problem


def storable(value: str) -> bool:
    return _UNSTORABLE.search(value) is None


def quantity(value: object, *, field: str) -> Decimal:
    """A stock figure: a JSON number (or plain numeric text) within ±`MAX_QUANTITY`, kept to
    the four places the ledger stores; a negative zero is zero."""
    number = _number(value, field=field)
    return _bounded(number, field=field, low=-MAX_QUANTITY)


def amount(value: object, *, field: str) -> Decimal | None:
    """A price or level: like `quantity`, but not negative; None when absent or empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return _bounded(_number(value, field=field), field=field, low=_ZERO)


def text(value: object, *, field: str, max_length: int) -> str:
    """A name that identifies (SKU, location): non-empty trimmed text of printable characters."""
    if not isinstance(value, str):
        raise InvalidRecord("must be text", field=field)
    cleaned = value.strip()
    if not cleaned:
        raise InvalidRecord("must not be empty", field=field)
    if len(cleaned) > max_length:
        raise InvalidRecord(f"must be at most {max_length} characters", field=field)
    if _CONTROL.search(cleaned) or not storable(cleaned):
        raise InvalidRecord("holds a control character or one the hub cannot store", field=field)
    return cleaned


def optional_text(value: object, *, field: str, max_length: int, cut: bool) -> str | None:
    """A describing text (name, barcode, id): None when absent or empty; longer than
    `max_length` is cut when `cut`, else refused; a NUL or lone surrogate is refused."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InvalidRecord("must be text", field=field)
    cleaned = str(value).strip()
    if not storable(cleaned):
        raise InvalidRecord("holds a character the hub cannot store", field=field)
    if len(cleaned) > max_length:
        if not cut:
            raise InvalidRecord(f"must be at most {max_length} characters", field=field)
        cleaned = cleaned[:max_length].rstrip()
    return cleaned or None


def _number(value: object, *, field: str) -> Decimal:
    problem = "must be a number"
    if isinstance(value, bool) or value is None:
        raise InvalidRecord(problem, field=field)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidRecord("must be a finite number", field=field)
        return Decimal(repr(value))  # the shortest text that reads back as this float
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, str) and _PLAIN.fullmatch(value.strip()):
        return Decimal(value.strip())
    raise InvalidRecord(problem, field=field)


def _bounded(number: Decimal, *, field: str, low: Decimal) -> Decimal:
    if not number.is_finite():
        raise InvalidRecord("must be a finite number", field=field)
    if not low <= number <= MAX_QUANTITY:
        raise InvalidRecord(f"must be from {low} to {MAX_QUANTITY}", field=field)
    exact = number.quantize(_FOUR_PLACES, rounding=ROUND_HALF_UP)  # in range: cannot overflow
    return exact if exact else _ZERO


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
