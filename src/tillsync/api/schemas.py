"""Request shapes shared by routers: exact numbers, trimmed non-empty strings."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

MAX_QUANTITY = Decimal("1000000")
MAX_MONEY = Decimal("100000000")


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
    if value != value.quantize(Decimal("0.0001")):
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


Quantity = Annotated[
    Decimal,
    BeforeValidator(_number),
    AfterValidator(_four_places),
    AfterValidator(_positive),
    Field(json_schema_extra={"type": "number", "exclusiveMinimum": 0}),
]
Money = Annotated[
    Decimal,
    BeforeValidator(_number),
    AfterValidator(_four_places),
    AfterValidator(_not_negative),
    Field(json_schema_extra={"type": "number", "minimum": 0}),
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]


def _currency(value: str) -> str:
    code = value.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise ValueError("must be a 3-letter ISO 4217 code such as USD")
    return code


Currency = Annotated[
    str, AfterValidator(_currency), Field(json_schema_extra={"pattern": "^[A-Za-z]{3}$"})
]
