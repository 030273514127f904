"""Dine's API as functions of one call: what each path does with the restaurant's state."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tillsync.emulators.dine import menu, orders
from tillsync.emulators.dine.errors import DineError
from tillsync.emulators.dine.state import DineState, Restaurant

PREFIX = "/v1"


@dataclass(frozen=True, slots=True)
class Call:
    state: DineState
    restaurant: Restaurant
    params: Mapping[str, str]
    query: Mapping[str, str]
    raw: bytes
    key: str | None


@dataclass(frozen=True, slots=True)
class Answer:
    document: Any
    status: int = 200
    headers: Mapping[str, str] | None = None


Handler = Callable[[Call], Answer]


def restaurant(call: Call) -> Answer:
    return Answer({"restaurant": call.restaurant.document()})


def menu_items(call: Call) -> Answer:
    limit = call.state.settings.max_per_page
    return Answer(menu.page_of(call.restaurant.menu, call.query, max_per_page=limit))


def create_order(call: Call) -> Answer:
    try:
        body = json.loads(call.raw) if call.raw.strip() else None
    except ValueError:
        raise DineError("the body is not valid JSON", code="invalid_json", status=400) from None
    made, replayed = orders.create(
        call.restaurant.book,
        body,
        key=call.key,
        menu=call.restaurant.menu,
        currency=call.restaurant.currency,
        now=call.state.clock.now(),
    )
    if replayed:
        return Answer({"order": made}, 200, {"Idempotent-Replayed": "true"})
    return Answer({"order": made}, 201)


def find_orders(call: Call) -> Answer:
    reference = call.query.get("reference")
    if not reference:
        raise DineError("reference is required", code="invalid_request", field="reference")
    return Answer({"orders": call.restaurant.book.by_reference(reference)})


def get_order(call: Call) -> Answer:
    found = call.restaurant.orders.get(call.params["order_id"])
    if found is None:
        raise DineError("no such order", code="not_found", status=404)
    return Answer({"order": found})


ROUTES: tuple[tuple[str, re.Pattern[str], Handler], ...] = (
    ("GET", re.compile(rf"^{PREFIX}/restaurant$"), restaurant),
    ("GET", re.compile(rf"^{PREFIX}/menu/items$"), menu_items),
    ("POST", re.compile(rf"^{PREFIX}/orders$"), create_order),
    ("GET", re.compile(rf"^{PREFIX}/orders$"), find_orders),
    ("GET", re.compile(rf"^{PREFIX}/orders/(?P<order_id>[A-Za-z0-9_]+)$"), get_order),
)


def route(method: str, path: str) -> tuple[Handler, dict[str, str]]:
    """The handler of `method path` and its path parameters, or Dine's 404 / 405."""
    allowed = False
    for verb, pattern, handler in ROUTES:
        matched = pattern.match(path)
        if matched is None:
            continue
        if verb == method:
            return handler, matched.groupdict()
        allowed = True
    if allowed:
        raise DineError("method not allowed", code="method_not_allowed", status=405)
    raise DineError("no such endpoint", code="not_found", status=404)
