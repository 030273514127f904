"""Request shapes shared by routers: exact numbers in range, trimmed text PostgreSQL can store."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints, WithJsonSchema

MAX_QUANTITY = Decimal("1000000")
MAX_MONEY = Decimal("100000000")
MAX_TOTAL = Decimal("1000000000000")
"""A sale's total, kept to four places in a 64-bit integer, stays far inside it."""
PLACES = Decimal("0.0001")
NUL_FREE = "^[^\\x00]*$"
"""PostgreSQL cannot store a NUL in text: every text the API takes is refused with one."""


def _number(value: Any) -> Decimal:
    """JSON numbers only: a string or a boolean is refused, floats keep their written digits."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError("must be a number")
    try:
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation as exc:
        raise ValueError("must be a number") from exc
    if not number.is_finite():
        raise ValueError("must be a finite number")
    return number


def _four_places(value: Decimal) -> Decimal:
    """Runs after the range check: in range, quantizing cannot overflow the context."""
    if value != value.quantize(PLACES):
        raise ValueError("must have at most 4 decimal places")
    return value


def _positive(value: Decimal) -> Decimal:
    if value <= 0:
        raise ValueError("must be greater than 0")
    if value > MAX_QUANTITY:
        raise ValueError(f"must be at most {MAX_QUANTITY}")
    return value


def _not_negative(value: Decimal) -> Decimal:
    if value < 0:
        raise ValueError("must not be negative")
    if value > MAX_MONEY:
        raise ValueError(f"must be at most {MAX_MONEY}")
    return value


def nul_free(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain a NUL character")
    return value


Quantity = Annotated[
    Decimal,
    BeforeValidator(_number),
    AfterValidator(_positive),
    AfterValidator(_four_places),
    WithJsonSchema({"type": "number", "exclusiveMinimum": 0, "maximum": int(MAX_QUANTITY)}),
]
Money = Annotated[
    Decimal,
    BeforeValidator(_number),
    AfterValidator(_not_negative),
    AfterValidator(_four_places),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": int(MAX_MONEY)}),
]


def _positive_money(value: Decimal) -> Decimal:
    if value <= 0:
        raise ValueError("must be greater than 0")
    if value > MAX_MONEY:
        raise ValueError(f"must be at most {MAX_MONEY}")
    return value


Price = Annotated[
    Decimal,
    BeforeValidator(_number),
    AfterValidator(_positive_money),
    AfterValidator(_four_places),
    WithJsonSchema({"type": "number", "exclusiveMinimum": 0, "maximum": int(MAX_MONEY)}),
]
"""A unit price that must be charged: more than zero."""


_NO_NUL = AfterValidator(nul_free)
_NO_NUL_SCHEMA = Field(json_schema_extra={"pattern": NUL_FREE})
Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    _NO_NUL,
    _NO_NUL_SCHEMA,
]
LongText = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=300), _NO_NUL, _NO_NUL_SCHEMA
]
DocumentNumber = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=200), _NO_NUL, _NO_NUL_SCHEMA
]
"""An invoice or order number, as long as its column."""
ProductRef = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=100), _NO_NUL, _NO_NUL_SCHEMA
]
"""A provider's product id, as long as its column."""
ShortText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    _NO_NUL,
    _NO_NUL_SCHEMA,
]
Address = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
    _NO_NUL,
    _NO_NUL_SCHEMA,
]


def _currency(value: str) -> str:
    code = value.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise ValueError("must be a 3-letter ISO 4217 code such as USD")
    return code


Currency = Annotated[
    str, AfterValidator(_currency), Field(json_schema_extra={"pattern": "^[A-Za-z]{3}$"})
]
