"""CIN7's wire format: paths, case-insensitive parameters and fields, numbers and dates."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from tillsync.emulators.cin7.errors import Cin7Error

API_PREFIX = "/externalapi/v2"
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000

T = TypeVar("T")


def api_path(path: str) -> str:
    """`/ExternalApi/v2/Sale/Order/` → `/sale/order`; paths are matched without case."""
    lowered = "/" + path.strip().lower().strip("/")
    if lowered == API_PREFIX or lowered.startswith(API_PREFIX + "/"):
        lowered = lowered[len(API_PREFIX) :] or "/"
    return lowered


def format_time(moment: dt.datetime) -> str:
    utc = moment.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return format_time(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def dump_json(document: object) -> bytes:
    """Decimals become JSON numbers (`497.0`), datetimes CIN7's UTC text."""
    return json.dumps(document, default=_json_default, separators=(",", ":")).encode()


def parse_time(text: str, *, field: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise Cin7Error(f"'{field}' is not a valid date: {text}") from None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def parse_decimal(value: object, *, field: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise Cin7Error(f"'{field}' is invalid")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise Cin7Error(f"'{field}' is invalid") from None
    if not number.is_finite():
        raise Cin7Error(f"'{field}' is invalid")
    return number


def parse_bool(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


class Fields:
    """A JSON object or query string read the .NET way: names match without case."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = {str(key).lower(): value for key, value in data.items()}

    def has(self, name: str) -> bool:
        return self._data.get(name.lower()) is not None

    def raw(self, name: str) -> Any:
        return self._data.get(name.lower())

    def text(self, name: str) -> str | None:
        value = self.raw(name)
        if value is None:
            return None
        return None if isinstance(value, dict | list) else str(value)

    def decimal(self, name: str) -> Decimal | None:
        value = self.raw(name)
        if value is None or value == "":
            return None
        return parse_decimal(value, field=name)

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.raw(name)
        return default if value is None else parse_bool(value)

    def time(self, name: str) -> dt.datetime | None:
        text = self.text(name)
        return parse_time(text, field=name) if text else None

    def objects(self, name: str) -> Iterator[Fields]:
        value = self.raw(name)
        if value is None:
            return
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            raise Cin7Error(f"{name} is invalid")
        for item in value:
            yield Fields(item)

    def integer(self, name: str, default: int) -> int:
        try:
            return int(str(self.raw(name)))
        except ValueError:
            return default

    def page(self) -> tuple[int, int]:
        """`Page` from 1 and `Limit` clamped to 1..1000 (CIN7 does not say what it does above)."""
        page = max(1, self.integer("Page", 1))
        limit = min(MAX_LIMIT, max(1, self.integer("Limit", DEFAULT_LIMIT)))
        return page, limit


def list_page(
    query: Fields, found: list[T], *, key: str, document: Callable[[T], object]
) -> dict[str, object]:
    """One page of a list as CIN7 answers it: how many match, the page, and its rows."""
    page, limit = query.page()
    start = (page - 1) * limit
    return {
        "Total": len(found),
        "Page": page,
        key: [document(x) for x in found[start : start + limit]],
    }
