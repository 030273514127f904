"""Inventory changes read back: `POST /v2/inventory/changes/batch-retrieve`.

Filters by variation, location, change type and state, and by `updated_after` /
`updated_before` on the change's `created_at`; oldest first, a cursor between pages. Square
has no filter by `reference_id`: a caller matches it in what comes back.

Not emulated: TRANSFER changes (never recorded here), `occurred_at` ordering across
sellers' devices.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tillsync.emulators.square.errors import invalid
from tillsync.emulators.square.records import Merchant
from tillsync.emulators.square.wire import (
    decode_cursor,
    encode_cursor,
    fingerprint,
    parse_time,
    strings_field,
)

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
TYPES = ("PHYSICAL_COUNT", "ADJUSTMENT", "TRANSFER")


def retrieve(merchant: Merchant, body: Mapping[str, Any]) -> dict[str, Any]:
    objects = set(strings_field(body, "catalog_object_ids", field="catalog_object_ids"))
    locations = set(strings_field(body, "location_ids", field="location_ids"))
    types = set(strings_field(body, "types", field="types")) or set(TYPES)
    if types - set(TYPES):
        raise invalid("types", f"`types` must be among {', '.join(TYPES)}.")
    states = set(strings_field(body, "states", field="states"))
    after = body.get("updated_after")
    before = body.get("updated_before")
    since = None if after is None else parse_time(after, field="updated_after")
    until = None if before is None else parse_time(before, field="updated_before")
    limit = body.get("limit", DEFAULT_LIMIT)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise invalid("limit", f"`limit` must be an integer from 1 to {MAX_LIMIT}.")
    rows = []
    for change in merchant.changes:
        data = _data(change)
        created = parse_time(data["created_at"], field="created_at")
        if (
            change["type"] in types
            and (not objects or data.get("catalog_object_id") in objects)
            and (not locations or _location(data) in locations)
            and (not states or states & _states(data))
            and (since is None or created >= since)
            and (until is None or created <= until)
        ):
            rows.append(change)
    scope = fingerprint({k: v for k, v in body.items() if k not in ("cursor", "limit")})
    offset = decode_cursor(body.get("cursor"), scope)
    page = rows[offset : offset + limit]
    answer: dict[str, Any] = {"changes": page} if page else {}
    if offset + limit < len(rows):
        answer["cursor"] = encode_cursor(offset + limit, scope)
    return answer


def _data(change: Mapping[str, Any]) -> dict[str, Any]:
    data = change.get("adjustment") or change.get("physical_count") or {}
    return dict(data)


def _location(data: Mapping[str, Any]) -> str | None:
    found = data.get("location_id") or data.get("to_location_id") or data.get("from_location_id")
    return str(found) if found else None


def _states(data: Mapping[str, Any]) -> set[str]:
    return {str(data[k]) for k in ("state", "from_state", "to_state") if data.get(k)}
