"""Contacts: the customers a sales order names; listed with searches, created by name."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from tillsync.emulators.zoho.errors import DUPLICATE_NAME, ZohoError, invalid
from tillsync.emulators.zoho.paging import page_of, sort_order
from tillsync.emulators.zoho.records import Organization
from tillsync.emulators.zoho.wire import format_time, new_id, text

CONTACT_TYPES = ("customer", "vendor")


def listing(organization: Organization, query: Mapping[str, str]) -> dict[str, Any]:
    """`GET /contacts` with `contact_name`, `contact_name_contains`, `search_text`, `phone`,
    `email` and `contact_type`, by name."""
    order = sort_order(query)
    rows = [c for c in organization.contacts.values() if _wanted(c, query)]
    rows.sort(key=lambda c: (c["contact_name"].lower(), c["contact_id"]), reverse=order == "D")
    page, context = page_of(
        rows,
        query,
        report_name="Contacts",
        applied_filter=query.get("filter_by") or "Status.All",
        sort_column="contact_name",
        sort_order=order,
    )
    return {"contacts": page, "page_context": context}


def _wanted(contact: dict[str, Any], query: Mapping[str, str]) -> bool:
    name = contact["contact_name"].lower()
    if (exact := query.get("contact_name")) and name != exact.lower():
        return False
    if (part := query.get("contact_name_contains")) and part.lower() not in name:
        return False
    if (search := query.get("search_text")) and search.lower() not in name:
        return False
    if (phone := query.get("phone")) and phone not in (contact["phone"], contact["mobile"]):
        return False
    if (email := query.get("email")) and email.lower() != contact["email"].lower():
        return False
    wanted_type = query.get("contact_type")
    return not wanted_type or contact["contact_type"] == wanted_type


def create(
    organization: Organization, body: Mapping[str, Any], *, now: dt.datetime
) -> dict[str, Any]:
    name = text(body.get("contact_name"), field="contact_name", required=True)
    assert name is not None
    kind = text(body.get("contact_type"), field="contact_type") or "customer"
    if kind not in CONTACT_TYPES:
        raise invalid("contact_type")
    if any(c["contact_name"].lower() == name.lower() for c in organization.contacts.values()):
        raise ZohoError(DUPLICATE_NAME, f'The contact "{name}" already exists.')
    contact = {
        "contact_id": new_id(),
        "contact_name": name,
        "company_name": text(body.get("company_name"), field="company_name") or "",
        "contact_type": kind,
        "status": "active",
        "email": text(body.get("email"), field="email") or "",
        "phone": text(body.get("phone"), field="phone") or "",
        "mobile": text(body.get("mobile"), field="mobile") or "",
        "created_time": format_time(now),
        "last_modified_time": format_time(now),
    }
    organization.contacts[contact["contact_id"]] = contact
    return contact
