"""Orders: create with Square's idempotency rules, get, batch-retrieve, update by version."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from tillsync.clock import Clock
from tillsync.emulators.square.errors import SquareError, invalid, key_reused, missing, not_found
from tillsync.emulators.square.events import EventBus
from tillsync.emulators.square.order_lines import build_lines, check_metadata, totals
from tillsync.emulators.square.records import Merchant, Replay
from tillsync.emulators.square.wire import (
    fingerprint,
    format_time,
    list_field,
    object_field,
    order_id,
    text_field,
)

CREATE_STATES = ("OPEN", "DRAFT")
STATES = ("OPEN", "COMPLETED", "CANCELED", "DRAFT")
FINAL_STATES = ("COMPLETED", "CANCELED")
MAX_BATCH = 100
UPDATABLE = frozenset({"version", "state", "reference_id", "metadata"})
"""Fields an update may carry here; others are refused as not emulated."""


def idempotency_key(body: Mapping[str, Any], *, max_length: int, required: bool) -> str | None:
    key = text_field(
        body, "idempotency_key", field="idempotency_key", max_length=max_length, required=required
    )
    return key or None


def replay(merchant: Merchant, endpoint: str, key: str | None, body: object) -> Replay | None:
    """The first answer under this key if the data is the same; refused if it differs."""
    if key is None:
        return None
    found = merchant.replays.get((endpoint, key))
    if found is not None and found.request != fingerprint(body):
        raise key_reused()
    return found


def remember(
    merchant: Merchant, endpoint: str, key: str | None, body: object, answer: dict[str, Any]
) -> dict[str, Any]:
    if key is not None:
        merchant.replays[(endpoint, key)] = Replay(fingerprint(body), copy.deepcopy(answer))
    return answer


class Orders:
    def __init__(self, *, clock: Clock, events: EventBus) -> None:
        self._clock = clock
        self._events = events

    def create(self, merchant: Merchant, body: Mapping[str, Any]) -> dict[str, Any]:
        key = idempotency_key(body, max_length=192, required=False)
        earlier = replay(merchant, "orders.create", key, body)
        if earlier is not None:
            return copy.deepcopy(earlier.answer)
        data = object_field(body, "order", field="order")
        location = self._location(merchant, data.get("location_id"))
        currency = merchant.currency(location)
        state = data.get("state", "OPEN")
        if state not in CREATE_STATES:
            raise invalid("order.state", "An order is created OPEN or DRAFT.")
        now = format_time(self._clock.now())
        order: dict[str, Any] = {
            "id": order_id(),
            "location_id": location,
            "source": {"name": _source_name(data)},
            "line_items": build_lines(merchant, data, currency),
            "created_at": now,
            "updated_at": now,
            "state": state,
            "version": 1,
        }
        for name, limit in (("reference_id", 40), ("customer_id", 191), ("ticket_name", 30)):
            value = text_field(data, name, field=f"order.{name}", max_length=limit)
            if value is not None:
                order[name] = value
        metadata = check_metadata(data.get("metadata"), field="order.metadata")
        if metadata is not None:
            order["metadata"] = metadata
        fulfillments = list_field(data, "fulfillments", field="order.fulfillments")
        if len(fulfillments) > 1:
            raise invalid("order.fulfillments", "An order is created with at most 1 fulfillment.")
        if fulfillments:
            order["fulfillments"] = copy.deepcopy(fulfillments)
        order.update(totals(order["line_items"], currency))
        merchant.orders[order["id"]] = order
        self._events.order_changed(merchant.id, order, created=True, now=self._clock.now())
        return remember(merchant, "orders.create", key, body, {"order": copy.deepcopy(order)})

    def get(self, merchant: Merchant, order_id_: str) -> dict[str, Any]:
        order = merchant.orders.get(order_id_)
        if order is None:
            raise not_found(f"Order `{order_id_}` not found.", field="order_id")
        return {"order": copy.deepcopy(order)}

    def batch_retrieve(self, merchant: Merchant, body: Mapping[str, Any]) -> dict[str, Any]:
        ids = list_field(body, "order_ids", field="order_ids")
        if not ids:
            raise missing("order_ids")
        if len(ids) > MAX_BATCH:
            raise invalid("order_ids", f"At most {MAX_BATCH} order ids per call.")
        location = body.get("location_id")
        found = [
            copy.deepcopy(merchant.orders[i])
            for i in ids
            if isinstance(i, str)
            and i in merchant.orders
            and location in (None, merchant.orders[i]["location_id"])
        ]
        return {"orders": found} if found else {}

    def update(self, merchant: Merchant, order_id_: str, body: Mapping[str, Any]) -> dict[str, Any]:
        key = idempotency_key(body, max_length=192, required=False)
        endpoint = f"orders.update.{order_id_}"
        earlier = replay(merchant, endpoint, key, body)
        if earlier is not None:
            return copy.deepcopy(earlier.answer)
        order = merchant.orders.get(order_id_)
        if order is None:
            raise not_found(f"Order `{order_id_}` not found.", field="order_id")
        changes = body.get("order") or {}
        if not isinstance(changes, dict):
            raise SquareError(
                "Expected an object for `order`.", code="EXPECTED_OBJECT", field="order"
            )
        cleared = list_field(body, "fields_to_clear", field="fields_to_clear")
        unknown = sorted(set(changes) - UPDATABLE) + sorted(
            str(f) for f in cleared if f not in ("reference_id", "metadata")
        )
        if unknown:
            raise invalid(f"order.{unknown[0]}", f"Updating `{unknown[0]}` is not emulated.")
        version = changes.get("version")
        if version is not None and version != order["version"]:
            raise SquareError(
                f"The order is at version {order['version']}, not {version}.",
                code="VERSION_MISMATCH",
                field="order.version",
            )
        updated = self._apply(order, changes, cleared, merchant_id=merchant.id)
        return remember(merchant, endpoint, key, body, {"order": updated})

    def set_state(self, merchant: Merchant, order_id_: str, state: str) -> dict[str, Any]:
        """The seller moving the order on at the POS (control surface)."""
        order = merchant.orders.get(order_id_)
        if order is None:
            raise not_found(f"Order `{order_id_}` not found.", field="order_id")
        return self._apply(order, {"state": state}, [], merchant_id=merchant.id)

    def _apply(
        self,
        order: dict[str, Any],
        changes: Mapping[str, Any],
        cleared: list[Any],
        *,
        merchant_id: str,
    ) -> dict[str, Any]:
        state = changes.get("state", order["state"])
        if state not in STATES:
            raise SquareError(
                "`order.state` is not a valid value.",
                code="INVALID_ENUM_VALUE",
                field="order.state",
            )
        if order["state"] in FINAL_STATES and state != order["state"]:
            raise invalid("order.state", f"A {order['state']} order cannot change state.")
        candidate = copy.deepcopy(order)
        candidate["state"] = state
        if "reference_id" in changes:
            candidate["reference_id"] = text_field(
                changes, "reference_id", field="order.reference_id", max_length=40
            )
        if "metadata" in changes:
            if not isinstance(changes["metadata"], dict | None):
                raise invalid("order.metadata", "Expected an object for `order.metadata`.")
            merged = {**candidate.get("metadata", {}), **(changes["metadata"] or {})}
            candidate["metadata"] = {k: v for k, v in merged.items() if v is not None}
            check_metadata(candidate["metadata"], field="order.metadata")
        for name in cleared:
            candidate.pop(str(name), None)
        now = self._clock.now()
        candidate["version"] = order["version"] + 1
        candidate["updated_at"] = format_time(now)
        if state in FINAL_STATES and order["state"] not in FINAL_STATES:
            candidate["closed_at"] = format_time(now)
        order.clear()
        order.update(candidate)
        self._events.order_changed(merchant_id, order, created=False, now=now)
        return copy.deepcopy(order)

    @staticmethod
    def _location(merchant: Merchant, value: object) -> str:
        if value is None or value == "":
            raise missing("order.location_id")
        if not isinstance(value, str) or value not in merchant.locations:
            raise not_found(f"Location `{value}` not found.", field="order.location_id")
        return value


def _source_name(data: Mapping[str, Any]) -> str:
    source = data.get("source")
    if isinstance(source, dict) and isinstance(source.get("name"), str):
        return str(source["name"])
    return "Square emulator"
