"""Order search: locations, state / date / source / customer filters, sort, cursor and limit."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping
from typing import Any

from tillsync.emulators.square.errors import SquareError, invalid, missing
from tillsync.emulators.square.records import Merchant
from tillsync.emulators.square.wire import (
    decode_cursor,
    encode_cursor,
    fingerprint,
    parse_time,
    strings_field,
)

MAX_LOCATIONS = 10
DEFAULT_LIMIT = 500
MAX_LIMIT = 1000
SORT_FIELDS = {"CREATED_AT": "created_at", "UPDATED_AT": "updated_at", "CLOSED_AT": "closed_at"}


def search_orders(merchant: Merchant, body: Mapping[str, Any]) -> dict[str, Any]:
    locations = _locations(merchant, body)
    limit = _limit(body.get("limit"))
    query = body.get("query") or {}
    if not isinstance(query, dict):
        raise SquareError("Expected an object for `query`.", code="EXPECTED_OBJECT", field="query")
    filters = query.get("filter") or {}
    if not isinstance(filters, dict):
        raise SquareError(
            "Expected an object for `query.filter`.", code="EXPECTED_OBJECT", field="query.filter"
        )
    date_field, start, end = _date_filter(filters.get("date_time_filter"))
    sort_field, descending = _sort(query.get("sort"), date_field)
    states = _values(filters, "state_filter", "states")
    sources = _values(filters, "source_filter", "source_names")
    customers = _values(filters, "customer_filter", "customer_ids")
    matches = [
        order
        for order in merchant.orders.values()
        if order["location_id"] in locations
        and (states is None or order["state"] in states)
        and (sources is None or order["source"]["name"] in sources)
        and (customers is None or order.get("customer_id") in customers)
        and _within(order.get(date_field or ""), start, end)
    ]
    matches.sort(key=lambda o: (o.get(sort_field) or "", o["id"]), reverse=descending)
    if sort_field == "closed_at":
        matches = [o for o in matches if o.get("closed_at")]
    scope = fingerprint({k: v for k, v in body.items() if k not in ("cursor", "limit")})
    offset = decode_cursor(body.get("cursor"), scope)
    page = matches[offset : offset + limit]
    answer: dict[str, Any] = {}
    if body.get("return_entries"):
        entries = [
            {"order_id": o["id"], "version": o["version"], "location_id": o["location_id"]}
            for o in page
        ]
        if entries:
            answer["order_entries"] = entries
    elif page:
        answer["orders"] = [copy.deepcopy(o) for o in page]
    if offset + limit < len(matches):
        answer["cursor"] = encode_cursor(offset + limit, scope)
    return answer


def _locations(merchant: Merchant, body: Mapping[str, Any]) -> set[str]:
    locations = strings_field(body, "location_ids", field="location_ids")
    if not locations:
        raise missing("location_ids")
    if len(locations) > MAX_LOCATIONS:
        raise invalid("location_ids", f"At most {MAX_LOCATIONS} location ids per search.")
    for location in locations:
        if location not in merchant.locations:
            raise invalid("location_ids", f"Location `{location}` not found.")
    return set(locations)


def _limit(value: object) -> int:
    if value is None:
        return DEFAULT_LIMIT
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_LIMIT:
        raise invalid("limit", f"`limit` must be an integer from 1 to {MAX_LIMIT}.")
    return value


def _values(filters: Mapping[str, Any], name: str, inner: str) -> set[str] | None:
    block = filters.get(name)
    if block is None:
        return None
    values = strings_field(block, inner, field=f"query.filter.{name}.{inner}")
    if not values:
        raise missing(f"query.filter.{name}.{inner}")
    return {str(v) for v in values}


def _date_filter(block: object) -> tuple[str | None, dt.datetime | None, dt.datetime | None]:
    if block is None:
        return None, None, None
    if not isinstance(block, dict):
        raise invalid("query.filter.date_time_filter", "Expected an object.")
    given = [name for name in ("created_at", "updated_at", "closed_at") if block.get(name)]
    if len(given) != 1:
        raise invalid(
            "query.filter.date_time_filter",
            "Exactly one of created_at, updated_at or closed_at must be set.",
        )
    name = given[0]
    window = block[name]
    field = f"query.filter.date_time_filter.{name}"
    if not isinstance(window, dict):
        raise invalid(field, "Expected an object.")
    start = window.get("start_at")
    end = window.get("end_at")
    return (
        name,
        None if start is None else parse_time(start, field=f"{field}.start_at"),
        None if end is None else parse_time(end, field=f"{field}.end_at"),
    )


def _sort(block: object, date_field: str | None) -> tuple[str, bool]:
    if block is None:
        return date_field or "created_at", True
    if not isinstance(block, dict):
        raise invalid("query.sort", "Expected an object.")
    name = block.get("sort_field")
    if name not in SORT_FIELDS:
        raise SquareError(
            "`query.sort.sort_field` is not a valid value.",
            code="INVALID_ENUM_VALUE",
            field="query.sort.sort_field",
        )
    order = block.get("sort_order", "DESC")
    if order not in ("ASC", "DESC"):
        raise SquareError(
            "`query.sort.sort_order` is not a valid value.",
            code="INVALID_ENUM_VALUE",
            field="query.sort.sort_order",
        )
    field = SORT_FIELDS[name]
    if date_field is not None and field != date_field:
        raise invalid("query.sort.sort_field", "The sort field must be the date filter's field.")
    return field, order == "DESC"


def _within(value: str | None, start: dt.datetime | None, end: dt.datetime | None) -> bool:
    if start is None and end is None:
        return True
    if value is None:
        return False
    moment = parse_time(value, field="order")
    return (start is None or moment >= start) and (end is None or moment < end)
