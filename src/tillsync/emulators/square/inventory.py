"""Inventory: counts per variation x location x state, set by physical counts, moved by adjustments.

An adjustment moves a quantity from one state to another at a location: NONE → IN_STOCK
adds stock, IN_STOCK → SOLD or WASTE removes it. Its location is `location_id` (API
2025-08-20) or `from_location_id` / `to_location_id` (API 2026-07-15): both are accepted.
"""

from __future__ import annotations

import copy
import datetime as dt
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from tillsync.clock import Clock
from tillsync.emulators.square.errors import SquareError, invalid, missing
from tillsync.emulators.square.events import EventBus
from tillsync.emulators.square.orders import idempotency_key, remember, replay
from tillsync.emulators.square.records import Count, Merchant
from tillsync.emulators.square.wire import (
    decode_cursor,
    encode_cursor,
    fingerprint,
    format_time,
    list_field,
    parse_quantity,
    parse_time,
    quantity_text,
    strings_field,
)

WRITABLE_STATES = ("NONE", "IN_STOCK", "SOLD", "WASTE")
LISTED_STATES = ("IN_STOCK", "WASTE")
"""NONE, SOLD and UNLINKED_RETURN counts are never returned."""
MAX_CHANGES = 100
MAX_LIMIT = 1000
MAX_AGE = dt.timedelta(hours=24)


class Inventory:
    def __init__(self, *, clock: Clock, events: EventBus) -> None:
        self._clock = clock
        self._events = events

    def counts(self, merchant: Merchant, body: Mapping[str, Any]) -> dict[str, Any]:
        objects = set(strings_field(body, "catalog_object_ids", field="catalog_object_ids"))
        locations = set(strings_field(body, "location_ids", field="location_ids"))
        states = set(strings_field(body, "states", field="states")) or {"IN_STOCK"}
        after = body.get("updated_after")
        since = None if after is None else parse_time(after, field="updated_after")
        limit = body.get("limit", MAX_LIMIT)
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
            raise invalid("limit", f"`limit` must be an integer from 1 to {MAX_LIMIT}.")
        rows = [
            (key, count)
            for key, count in merchant.counts.items()
            if (not objects or key[0] in objects)
            and (not locations or key[1] in locations)
            and key[2] in states
            and key[2] in LISTED_STATES
            and (since is None or count.calculated_at > since)
        ]
        rows.sort(key=lambda row: (row[1].calculated_at, row[0]), reverse=True)
        scope = fingerprint({k: v for k, v in body.items() if k not in ("cursor", "limit")})
        offset = decode_cursor(body.get("cursor"), scope)
        page = [
            self._document(merchant, key, count) for key, count in rows[offset : offset + limit]
        ]
        answer: dict[str, Any] = {"counts": page} if page else {}
        if offset + limit < len(rows):
            answer["cursor"] = encode_cursor(offset + limit, scope)
        return answer

    def batch_create(self, merchant: Merchant, body: Mapping[str, Any]) -> dict[str, Any]:
        key = idempotency_key(body, max_length=128, required=True)
        earlier = replay(merchant, "inventory.changes", key, body)
        if earlier is not None:
            return copy.deepcopy(earlier.answer)
        raw = list_field(body, "changes", field="changes")
        if len(raw) > MAX_CHANGES:
            raise invalid("changes", f"At most {MAX_CHANGES} changes per call.")
        ignore_unchanged = body.get("ignore_unchanged_counts", True) is not False
        now = self._clock.now()
        parsed = [
            self._parse(merchant, change, f"changes[{n}]", now) for n, change in enumerate(raw)
        ]
        parsed.sort(key=lambda change: change[1])
        touched: dict[tuple[str, str, str], None] = {}
        recorded: list[dict[str, Any]] = []
        for document, _, moves in parsed:
            if ignore_unchanged and _unchanged(merchant, moves):
                continue
            for target, amount, absolute in moves:
                current = merchant.counts.get(target, Count(Decimal(0), now))
                quantity = amount if absolute else current.quantity + amount
                merchant.counts[target] = Count(quantity, now)
                touched[target] = None
            recorded.append(document)
        merchant.changes.extend(recorded)
        counts = [self._document(merchant, t, merchant.counts[t]) for t in touched]
        listed = [c for c in counts if c["state"] in LISTED_STATES]
        if listed:
            self._events.counts_changed(merchant.id, listed, now=now)
        answer: dict[str, Any] = {}
        if listed:
            answer["counts"] = listed
        if recorded:
            answer["changes"] = recorded
        return remember(merchant, "inventory.changes", key, body, answer)

    def set_count(
        self, merchant: Merchant, *, object_id: str, location_id: str, quantity: Decimal
    ) -> dict[str, Any]:
        """The seller counting stock at the POS (control surface): an IN_STOCK count, set."""
        now = self._clock.now()
        target = (object_id, location_id, "IN_STOCK")
        merchant.counts[target] = Count(quantity, now)
        count = self._document(merchant, target, merchant.counts[target])
        self._events.counts_changed(merchant.id, [count], now=now)
        return count

    def _parse(
        self, merchant: Merchant, change: object, field: str, now: dt.datetime
    ) -> tuple[dict[str, Any], dt.datetime, list[tuple[tuple[str, str, str], Decimal, bool]]]:
        """A change as (its document, when it occurred, the moves it makes on counts)."""
        if not isinstance(change, dict):
            raise SquareError(
                f"Expected an object for `{field}`.", code="EXPECTED_OBJECT", field=field
            )
        kind = change.get("type")
        if kind not in ("PHYSICAL_COUNT", "ADJUSTMENT"):
            raise SquareError(
                f"`{field}.type` must be PHYSICAL_COUNT or ADJUSTMENT here.",
                code="INVALID_ENUM_VALUE",
                field=f"{field}.type",
            )
        name = "physical_count" if kind == "PHYSICAL_COUNT" else "adjustment"
        data = change.get(name)
        where = f"{field}.{name}"
        if not isinstance(data, dict):
            raise missing(where)
        variation = self._variation(merchant, data.get("catalog_object_id"), where)
        quantity = parse_quantity(
            data.get("quantity"), field=f"{where}.quantity", positive=kind == "ADJUSTMENT"
        )
        occurred = self._occurred(data.get("occurred_at"), f"{where}.occurred_at", now)
        document = copy.deepcopy(data)
        document.update(
            id=str(uuid.uuid4()),
            catalog_object_type="ITEM_VARIATION",
            occurred_at=format_time(occurred),
            created_at=format_time(now),
            source={"product": "EXTERNAL_API", "application_name": "tillsync"},
        )
        if kind == "PHYSICAL_COUNT":
            location = self._location(merchant, data.get("location_id"), f"{where}.location_id")
            state = self._state(data.get("state"), f"{where}.state", writable=("IN_STOCK",))
            moves = [((variation, location, state), quantity, True)]
        else:
            location = self._adjustment_location(merchant, data, where)
            source = self._state(data.get("from_state"), f"{where}.from_state")
            target = self._state(data.get("to_state"), f"{where}.to_state")
            moves = [
                ((variation, location, state), sign * quantity, False)
                for state, sign in ((source, -1), (target, 1))
                if state != "NONE"
            ]
        return {"type": kind, name: document}, occurred, moves

    def _adjustment_location(self, merchant: Merchant, data: Mapping[str, Any], where: str) -> str:
        names = [n for n in ("location_id", "from_location_id", "to_location_id") if data.get(n)]
        if not names:
            raise missing(f"{where}.location_id")
        given = {str(data[n]) for n in names}
        if len(given) > 1:
            raise invalid(
                f"{where}.to_location_id", "Transfers between locations are not emulated."
            )
        return self._location(merchant, given.pop(), f"{where}.{names[0]}")

    @staticmethod
    def _variation(merchant: Merchant, value: object, field: str) -> str:
        if not value:
            raise missing(f"{field}.catalog_object_id")
        found = merchant.catalog.get(str(value))
        if found is None or found["type"] != "ITEM_VARIATION" or found["is_deleted"]:
            raise invalid(f"{field}.catalog_object_id", f"Item variation `{value}` not found.")
        return str(value)

    @staticmethod
    def _location(merchant: Merchant, value: object, field: str) -> str:
        if not value:
            raise missing(field)
        if str(value) not in merchant.locations:
            raise invalid(field, f"Location `{value}` not found.")
        return str(value)

    @staticmethod
    def _state(value: object, field: str, writable: tuple[str, ...] = WRITABLE_STATES) -> str:
        if value is None:
            raise missing(field)
        if value not in writable:
            raise invalid(field, f"Inventory state `{value}` cannot be written here.")
        return str(value)

    @staticmethod
    def _occurred(value: object, field: str, now: dt.datetime) -> dt.datetime:
        if value is None:
            return now
        moment = parse_time(value, field=field)
        if moment > now:
            raise invalid(field, "`occurred_at` must not be in the future.")
        if moment < now - MAX_AGE:
            raise invalid(field, "`occurred_at` must be within the last 24 hours.")
        return moment

    @staticmethod
    def _document(merchant: Merchant, key: tuple[str, str, str], count: Count) -> dict[str, Any]:
        return {
            "catalog_object_id": key[0],
            "catalog_object_type": "ITEM_VARIATION",
            "state": key[2],
            "location_id": key[1],
            "quantity": quantity_text(count.quantity),
            "calculated_at": format_time(count.calculated_at),
            "is_estimated": False,
        }


def _unchanged(merchant: Merchant, moves: list[tuple[tuple[str, str, str], Decimal, bool]]) -> bool:
    """A physical count equal to the current count changes nothing."""
    return all(
        absolute and target in merchant.counts and merchant.counts[target].quantity == amount
        for target, amount, absolute in moves
    )
