"""Zoho's list paging: `page` and `per_page` (default and most 200) and `page_context`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from tillsync.emulators.zoho.errors import invalid

MAX_PER_PAGE = 200
T = TypeVar("T")


def _positive(query: Mapping[str, str], name: str, default: int) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise invalid(name) from None
    if value < 1:
        raise invalid(name)
    return value


def page_of(
    rows: Sequence[T],
    query: Mapping[str, str],
    *,
    report_name: str,
    applied_filter: str,
    sort_column: str,
    sort_order: str,
) -> tuple[list[T], dict[str, Any]]:
    """One page of `rows` and its `page_context`; a `per_page` above 200 is taken as 200."""
    page = _positive(query, "page", 1)
    per_page = min(_positive(query, "per_page", MAX_PER_PAGE), MAX_PER_PAGE)
    start = (page - 1) * per_page
    context = {
        "page": page,
        "per_page": per_page,
        "has_more_page": len(rows) > start + per_page,
        "report_name": report_name,
        "applied_filter": applied_filter,
        "sort_column": sort_column,
        "sort_order": sort_order,
    }
    return list(rows[start : start + per_page]), context


def sort_order(query: Mapping[str, str]) -> str:
    order = query.get("sort_order") or "A"
    if order not in ("A", "D"):
        raise invalid("sort_order")
    return order
