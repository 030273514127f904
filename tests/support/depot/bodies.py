"""Reading Depot requests: paging, times, sale and webhook bodies; refusals name the field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from tests.support.depot.records import DepotError, Line, SaleDraft

MAX_LIMIT = 200
DEFAULT_LIMIT = 50


def invalid(message: str, field: str) -> DepotError:
    return DepotError(422, "invalid", message, field=field)


def paging(query: Mapping[str, str]) -> tuple[int, int]:
    page = _whole(query.get("page", "1"), "page", low=1, high=1_000_000)
    limit = _whole(query.get("limit", str(DEFAULT_LIMIT)), "limit", low=1, high=MAX_LIMIT)
    return page, limit


def moment(query: Mapping[str, str], name: str) -> dt.datetime | None:
    """An ISO 8601 time with its offset (`Z` or `+hh:mm`); a time without one is refused."""
    text = query.get(name)
    if text is None:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise invalid(f"{name} must be an ISO 8601 time", name) from None
    if value.tzinfo is None:
        raise invalid(f"{name} must carry its UTC offset", name)
    return value.astimezone(dt.UTC)


def sale_draft(body: Any, now: dt.datetime) -> SaleDraft:
    fields = _object(body)
    location = _text(fields, "location", required=True)
    date_text = _text(fields, "date")
    try:
        date = dt.date.fromisoformat(date_text) if date_text else now.date()
    except ValueError:
        raise invalid("date must be YYYY-MM-DD", "date") from None
    lines = fields.get("lines")
    if not isinstance(lines, list) or not lines:
        raise invalid("lines must be a non-empty list", "lines")
    return SaleDraft(
        reference=_text(fields, "reference"),
        number=_text(fields, "number"),
        customer=_text(fields, "customer"),
        location=location or "",
        note=_text(fields, "note") or "",
        date=date,
        lines=[_line(line, f"lines[{index}]") for index, line in enumerate(lines)],
    )


def webhook_fields(body: Any, *, creating: bool) -> dict[str, Any]:
    fields = _object(body)
    found: dict[str, Any] = {}
    for name in ("event", "url", "token"):
        value = _text(fields, name, required=creating)
        if value is not None:
            found[name] = value
    url = found.get("url")
    if url is not None and not url.startswith(("http://", "https://")):
        raise invalid("url must be an http or https URL", "url")
    if "active" in fields:
        if not isinstance(fields["active"], bool) or creating:
            raise invalid("active is a boolean, set with PUT", "active")
        found["active"] = fields["active"]
    return found


def _line(value: Any, at: str) -> Line:
    if not isinstance(value, dict):
        raise invalid(f"{at} must be an object", at)
    quantity = _decimal(value, "quantity", at, required=True)
    if quantity <= 0:
        raise invalid(f"{at}.quantity must be positive", f"{at}.quantity")
    return Line(
        sku=_text(value, "sku", required=True, at=at) or "",
        name=_text(value, "name", at=at) or "",
        quantity=quantity,
        price=_decimal(value, "price", at),
        tax=_decimal(value, "tax", at),
    )


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise invalid("the body must be a JSON object", "body")
    return body


def _text(
    fields: Mapping[str, Any], name: str, *, required: bool = False, at: str = ""
) -> str | None:
    where = f"{at}.{name}" if at else name
    value = fields.get(name)
    if value is None:
        if required:
            raise invalid(f"{where} is required", where)
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise invalid(f"{where} must be non-empty text", where)
    return value


def _decimal(fields: Mapping[str, Any], name: str, at: str, *, required: bool = False) -> Decimal:
    where = f"{at}.{name}"
    value = fields.get(name)
    if value is None and not required:
        return Decimal(0)
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise invalid(f"{where} must be a number or a decimal string", where)
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise invalid(f"{where} must be a number or a decimal string", where) from None
    if not number.is_finite():
        raise invalid(f"{where} must be finite", where)
    return number


def _whole(text: str, name: str, *, low: int, high: int) -> int:
    if not text.isdigit() or not low <= int(text) <= high:
        raise invalid(f"{name} must be a whole number from {low} to {high}", name)
    return int(text)
