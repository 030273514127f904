"""Zoho Inventory v1 paths and the rule behind each: one small translation per endpoint."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tillsync.emulators.zoho import adjustments, contacts, items, salesorders
from tillsync.emulators.zoho.errors import INVALID_URL, ZohoError, does_not_exist
from tillsync.emulators.zoho.records import Item, Organization
from tillsync.emulators.zoho.state import ZohoState

API_PREFIX = "/inventory/v1"


@dataclass(frozen=True, slots=True)
class Call:
    """One authenticated call: its organization (None for `/organizations`), path
    parameters, query and JSON body."""

    state: ZohoState
    account_id: str
    organization: Organization | None
    params: Mapping[str, str]
    query: Mapping[str, str]
    body: dict[str, Any]

    @property
    def org(self) -> Organization:
        assert self.organization is not None
        return self.organization

    def touched(self, item: Item) -> None:
        self.state.item_changed(self.org, item)


@dataclass(frozen=True, slots=True)
class Reply:
    document: dict[str, Any]
    status: int = 200
    message: str = "success"


Handler = Callable[[Call], Reply]


def _organizations(call: Call) -> Reply:
    listed = call.state.organizations_of(call.account_id)
    return Reply({"organizations": [o.document() for o in listed]})


def _locations(call: Call) -> Reply:
    return Reply({"locations": [loc.document() for loc in call.org.locations.values()]})


def _items(call: Call) -> Reply:
    return Reply(items.listing(call.org, call.query))


def _item(call: Call) -> Reply:
    item = items.item_of(call.org, call.params["id"])
    return Reply({"item": item.document(call.org.locations)})


def _adjustments(call: Call) -> Reply:
    return Reply(adjustments.listing(call.org, call.query))


def _adjustment(call: Call) -> Reply:
    return Reply({"inventory_adjustment": adjustments.adjustment_of(call.org, call.params["id"])})


def _adjust(call: Call) -> Reply:
    made = adjustments.create(call.org, call.body, now=call.state.clock.now(), touched=call.touched)
    return Reply({"inventory_adjustment": made}, 201, "Inventory Adjustment has been added")


def _contacts(call: Call) -> Reply:
    return Reply(contacts.listing(call.org, call.query))


def _contact(call: Call) -> Reply:
    found = call.org.contacts.get(call.params["id"])
    if found is None:
        raise does_not_exist("Contact")
    return Reply({"contact": found})


def _contact_create(call: Call) -> Reply:
    made = contacts.create(call.org, call.body, now=call.state.clock.now())
    return Reply({"contact": made}, 201, "The contact has been added.")


def _salesorders(call: Call) -> Reply:
    return Reply(salesorders.listing(call.org, call.query))


def _salesorder(call: Call) -> Reply:
    return Reply({"salesorder": salesorders.salesorder_of(call.org, call.params["id"])})


def _salesorder_create(call: Call) -> Reply:
    made = salesorders.create(call.org, call.body, call.query, now=call.state.clock.now())
    call.state.salesorder_changed(call.org, made)
    return Reply({"salesorder": made}, 201, "Sales Order has been created.")


def _status(status: str, message: str) -> Handler:
    def change(call: Call) -> Reply:
        salesorder = salesorders.salesorder_of(call.org, call.params["id"])
        before = salesorder["status"]
        salesorders.set_status(
            call.org, salesorder, status, now=call.state.clock.now(), touched=call.touched
        )
        if salesorder["status"] != before:
            call.state.salesorder_changed(call.org, salesorder)
        return Reply({}, message=message)

    return change


ROUTES: list[tuple[str, re.Pattern[str], Handler]] = [
    ("GET", re.compile(r"/organizations"), _organizations),
    ("GET", re.compile(r"/locations"), _locations),
    ("GET", re.compile(r"/items"), _items),
    ("GET", re.compile(r"/items/(?P<id>\d+)"), _item),
    ("GET", re.compile(r"/inventoryadjustments"), _adjustments),
    ("POST", re.compile(r"/inventoryadjustments"), _adjust),
    ("GET", re.compile(r"/inventoryadjustments/(?P<id>\d+)"), _adjustment),
    ("GET", re.compile(r"/contacts"), _contacts),
    ("POST", re.compile(r"/contacts"), _contact_create),
    ("GET", re.compile(r"/contacts/(?P<id>\d+)"), _contact),
    ("GET", re.compile(r"/salesorders"), _salesorders),
    ("POST", re.compile(r"/salesorders"), _salesorder_create),
    ("GET", re.compile(r"/salesorders/(?P<id>\d+)"), _salesorder),
    (
        "POST",
        re.compile(r"/salesorders/(?P<id>\d+)/status/confirmed"),
        _status("confirmed", "Sales Order status has been changed to Confirmed."),
    ),
    (
        "POST",
        re.compile(r"/salesorders/(?P<id>\d+)/status/void"),
        _status("void", "Sales Order status has been changed to Void."),
    ),
]
NO_ORGANIZATION = {"/organizations"}
"""Paths called before an organization is chosen: no `organization_id` needed."""


def route(method: str, path: str) -> tuple[Handler, dict[str, str]]:
    """The handler and path parameters, or Zoho's refusal of the URL or the method."""
    path_known = False
    for wanted, pattern, handler in ROUTES:
        found = pattern.fullmatch(path)
        if found is None:
            continue
        if wanted == method:
            return handler, found.groupdict()
        path_known = True
    if path_known:
        raise ZohoError(INVALID_URL, "The HTTP method is not allowed for this URL.", status=405)
    raise ZohoError(INVALID_URL, "Invalid URL Passed", status=404)
