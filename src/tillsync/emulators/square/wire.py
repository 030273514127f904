"""Square's wire format: ids, RFC 3339 times, money in minor units, quantities as strings."""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
import string
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from tillsync.emulators.square.errors import SquareError, invalid, missing

UPPER = string.ascii_uppercase + string.digits
BASE32 = string.ascii_uppercase + "234567"
MIXED = string.ascii_letters + string.digits
MAX_QUANTITY_CHARS = 12


def new_id(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def location_id() -> str:
    return new_id(UPPER, 13)


def catalog_id() -> str:
    return new_id(BASE32, 24)


def order_id() -> str:
    return new_id(MIXED, 27)


def line_uid() -> str:
    return new_id(MIXED, 22)


def format_time(moment: dt.datetime) -> str:
    utc = moment.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def parse_time(value: object, *, field: str) -> dt.datetime:
    if not isinstance(value, str):
        raise invalid(field, f"Expected an RFC 3339 timestamp for `{field}`.")
    try:
        moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise invalid(field, f"Invalid timestamp `{value}`.") from None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def dump_json(document: object) -> bytes:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


def fingerprint(document: object) -> str:
    """The same request data gives the same text, whatever the order of its keys."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


def quantity_text(value: Decimal) -> str:
    """`Decimal("2.50")` → `"2.5"`, `Decimal("3")` → `"3"`: how Square writes quantities."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def parse_quantity(value: object, *, field: str, positive: bool = True) -> Decimal:
    if value is None:
        raise missing(field)
    if not isinstance(value, str):
        raise SquareError(f"Expected a string for `{field}`.", code="EXPECTED_STRING", field=field)
    if len(value) > MAX_QUANTITY_CHARS:
        raise invalid(field, f"`{field}` must be at most {MAX_QUANTITY_CHARS} characters.")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise invalid(field, f"`{field}` is not a decimal number.") from None
    if not number.is_finite() or (positive and number <= 0) or number < 0:
        raise invalid(field, f"`{field}` must be greater than 0.")
    return number


def parse_money(value: object, *, field: str) -> tuple[int, str]:
    if not isinstance(value, Mapping):
        raise SquareError(f"Expected an object for `{field}`.", code="EXPECTED_OBJECT", field=field)
    amount = value.get("amount")
    if amount is None:
        raise missing(f"{field}.amount")
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise SquareError(
            f"Expected an integer for `{field}.amount`.",
            code="EXPECTED_INTEGER",
            field=f"{field}.amount",
        )
    if amount < 0:
        raise invalid(f"{field}.amount", f"`{field}.amount` must not be negative.")
    currency = value.get("currency")
    if not isinstance(currency, str) or len(currency) != 3 or not currency.isupper():
        raise invalid(f"{field}.currency", f"`{field}.currency` is not a valid currency.")
    return amount, currency


def money(amount: int, currency: str) -> dict[str, Any]:
    return {"amount": amount, "currency": currency}


def encode_cursor(offset: int, scope: str) -> str:
    return base64.urlsafe_b64encode(fingerprint({"o": offset, "s": scope}).encode()).decode()


def decode_cursor(cursor: object, scope: str) -> int:
    """The offset a cursor of ours holds; another query's cursor or garbage is refused."""
    if cursor is None:
        return 0
    try:
        data = json.loads(base64.urlsafe_b64decode(str(cursor).encode()))
        if data["s"] == scope and isinstance(data["o"], int) and data["o"] >= 0:
            return int(data["o"])
    except (ValueError, KeyError, TypeError):
        pass
    raise SquareError("The cursor is not valid.", code="INVALID_CURSOR", field="cursor")


def _owner(data: object, field: str) -> Mapping[str, Any]:
    """`data` as the object holding `field`; Square's EXPECTED_OBJECT naming it if not."""
    if isinstance(data, Mapping):
        return data
    parent = field.rpartition(".")[0] or field
    raise SquareError(f"Expected an object for `{parent}`.", code="EXPECTED_OBJECT", field=parent)


def text_field(
    data: object, name: str, *, field: str, max_length: int, required: bool = False
) -> str | None:
    value = _owner(data, field).get(name)
    if value is None:
        if required:
            raise missing(field)
        return None
    if not isinstance(value, str):
        raise SquareError(f"Expected a string for `{field}`.", code="EXPECTED_STRING", field=field)
    if len(value) > max_length:
        raise invalid(field, f"`{field}` must be at most {max_length} characters.")
    if required and not value:
        raise missing(field)
    return value


def object_field(data: object, name: str, *, field: str) -> dict[str, Any]:
    value = _owner(data, field).get(name)
    if value is None:
        raise missing(field)
    if not isinstance(value, dict):
        raise SquareError(f"Expected an object for `{field}`.", code="EXPECTED_OBJECT", field=field)
    return value


def list_field(data: object, name: str, *, field: str) -> list[Any]:
    value = _owner(data, field).get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise SquareError(f"Expected an array for `{field}`.", code="EXPECTED_ARRAY", field=field)
    return value


def strings_field(data: object, name: str, *, field: str) -> list[str]:
    values = list_field(data, name, field=field)
    for n, value in enumerate(values):
        if not isinstance(value, str):
            raise SquareError(
                f"Expected a string for `{field}[{n}]`.",
                code="EXPECTED_STRING",
                field=f"{field}[{n}]",
            )
    return values
