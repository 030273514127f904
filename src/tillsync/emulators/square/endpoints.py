"""Square's v2 API paths and the rule behind each: one small translation per endpoint."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tillsync.emulators.square import inventory_changes
from tillsync.emulators.square.errors import SquareError
from tillsync.emulators.square.order_search import search_orders
from tillsync.emulators.square.records import Merchant
from tillsync.emulators.square.state import SquareState


@dataclass(frozen=True, slots=True)
class Call:
    """One authenticated call, its path parameters, query and JSON body."""

    state: SquareState
    merchant: Merchant
    params: Mapping[str, str]
    query: Mapping[str, str]
    body: dict[str, Any]


Handler = Callable[[Call], dict[str, Any]]
MAIN = "main"
"""RetrieveLocation's name for the main location, in place of an id."""


def _locations(call: Call) -> dict[str, Any]:
    merchant = call.merchant
    listed = sorted(merchant.locations.values(), key=lambda location: location.name)
    return {"locations": [location.document(merchant.business_name) for location in listed]}


def _location(call: Call) -> dict[str, Any]:
    """One location; `main` is the merchant's main location, the first ever created."""
    merchant = call.merchant
    wanted = call.params["id"]
    if wanted == MAIN:
        found = next(iter(merchant.locations.values()), None)
    else:
        found = merchant.locations.get(wanted)
    if found is None:
        raise SquareError("Location not found.", code="NOT_FOUND", status=404)
    return {"location": found.document(merchant.business_name)}


def _catalog_list(call: Call) -> dict[str, Any]:
    return call.state.catalog.listing(
        call.merchant, types=call.query.get("types"), cursor=call.query.get("cursor")
    )


def _catalog_object(call: Call) -> dict[str, Any]:
    found = call.merchant.catalog.get(call.params["id"])
    if found is None or found["is_deleted"]:
        raise SquareError("Object not found.", code="NOT_FOUND", status=404)
    return {"object": call.state.catalog.document(call.merchant, found)}


def _subscriptions_create(call: Call) -> dict[str, Any]:
    return call.state.subscriptions.create(call.body, now=call.state.clock.now())


ROUTES: list[tuple[str, re.Pattern[str], Handler]] = [
    ("GET", re.compile(r"/v2/locations"), _locations),
    ("GET", re.compile(r"/v2/locations/(?P<id>[^/]+)"), _location),
    ("POST", re.compile(r"/v2/orders"), lambda c: c.state.orders.create(c.merchant, c.body)),
    (
        "POST",
        re.compile(r"/v2/orders/batch-retrieve"),
        lambda c: c.state.orders.batch_retrieve(c.merchant, c.body),
    ),
    ("POST", re.compile(r"/v2/orders/search"), lambda c: search_orders(c.merchant, c.body)),
    (
        "GET",
        re.compile(r"/v2/orders/(?P<id>[^/]+)"),
        lambda c: c.state.orders.get(c.merchant, c.params["id"]),
    ),
    (
        "PUT",
        re.compile(r"/v2/orders/(?P<id>[^/]+)"),
        lambda c: c.state.orders.update(c.merchant, c.params["id"], c.body),
    ),
    ("GET", re.compile(r"/v2/catalog/list"), _catalog_list),
    (
        "POST",
        re.compile(r"/v2/catalog/object"),
        lambda c: c.state.catalog.upsert(c.merchant, c.body),
    ),
    ("GET", re.compile(r"/v2/catalog/object/(?P<id>[^/]+)"), _catalog_object),
    (
        "POST",
        re.compile(r"/v2/catalog/batch-upsert"),
        lambda c: c.state.catalog.batch_upsert(c.merchant, c.body),
    ),
    *[
        ("POST", re.compile(path), lambda c: c.state.inventory.counts(c.merchant, c.body))
        for path in (r"/v2/inventory/counts/batch-retrieve", r"/v2/inventory/batch-retrieve-counts")
    ],
    *[
        ("POST", re.compile(path), lambda c: c.state.inventory.batch_create(c.merchant, c.body))
        for path in (r"/v2/inventory/changes/batch-create", r"/v2/inventory/batch-change")
    ],
    (
        "POST",
        re.compile(r"/v2/inventory/changes/batch-retrieve"),
        lambda c: inventory_changes.retrieve(c.merchant, c.body),
    ),
    ("POST", re.compile(r"/v2/webhooks/subscriptions"), _subscriptions_create),
    ("GET", re.compile(r"/v2/webhooks/subscriptions"), lambda c: c.state.subscriptions.listing()),
    (
        "GET",
        re.compile(r"/v2/webhooks/subscriptions/(?P<id>[^/]+)"),
        lambda c: c.state.subscriptions.get(c.params["id"]),
    ),
    (
        "DELETE",
        re.compile(r"/v2/webhooks/subscriptions/(?P<id>[^/]+)"),
        lambda c: c.state.subscriptions.delete(c.params["id"]),
    ),
]


def route(method: str, path: str) -> tuple[Handler, dict[str, str]] | bool | None:
    """The handler and path parameters; False when the path exists for other methods only."""
    known = False
    for verb, pattern, handler in ROUTES:
        match = pattern.fullmatch(path)
        if match is None:
            continue
        if verb == method:
            return handler, match.groupdict()
        known = True
    return False if known else None
