"""The catalog: items with their variations, listed by type with a cursor, upserted in batches.

Versions are millisecond epochs, as Square's; an update must carry the current version.
New objects have ids starting with `#`, which other objects of the same batch may name.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from tillsync.clock import Clock
from tillsync.emulators.square.errors import SquareError, invalid, missing
from tillsync.emulators.square.orders import idempotency_key, remember, replay
from tillsync.emulators.square.records import Merchant
from tillsync.emulators.square.wire import (
    catalog_id,
    decode_cursor,
    encode_cursor,
    format_time,
    list_field,
    object_field,
    parse_money,
)

PAGE_SIZE = 100
TYPES = ("ITEM", "ITEM_VARIATION")
LISTED_BY_DEFAULT = ("ITEM",)
MAX_OBJECTS_PER_BATCH = 1000
MAX_OBJECTS = 10_000


class Catalog:
    def __init__(self, *, clock: Clock) -> None:
        self._clock = clock
        self._last_version = 0

    def listing(
        self, merchant: Merchant, *, types: str | None, cursor: str | None
    ) -> dict[str, Any]:
        wanted = self._types(types)
        scope = ",".join(wanted)
        offset = decode_cursor(cursor, scope)
        objects = [
            o for o in merchant.catalog.values() if o["type"] in wanted and not o["is_deleted"]
        ]
        page = [self.document(merchant, o) for o in objects[offset : offset + PAGE_SIZE]]
        answer: dict[str, Any] = {"objects": page} if page else {}
        if offset + PAGE_SIZE < len(objects):
            answer["cursor"] = encode_cursor(offset + PAGE_SIZE, scope)
        return answer

    def upsert(self, merchant: Merchant, body: Mapping[str, Any]) -> dict[str, Any]:
        key = idempotency_key(body, max_length=128, required=True)
        earlier = replay(merchant, "catalog.upsert", key, body)
        if earlier is not None:
            return copy.deepcopy(earlier.answer)
        obj = object_field(body, "object", field="object")
        saved, mappings = self._save(merchant, [obj], field="object")
        answer: dict[str, Any] = {"catalog_object": saved[0]}
        if mappings:
            answer["id_mappings"] = mappings
        return remember(merchant, "catalog.upsert", key, body, answer)

    def batch_upsert(self, merchant: Merchant, body: Mapping[str, Any]) -> dict[str, Any]:
        key = idempotency_key(body, max_length=128, required=True)
        earlier = replay(merchant, "catalog.batch_upsert", key, body)
        if earlier is not None:
            return copy.deepcopy(earlier.answer)
        batches = list_field(body, "batches", field="batches")
        if not batches:
            raise missing("batches")
        contents = [
            list_field(batch, "objects", field=f"batches[{n}].objects")
            for n, batch in enumerate(batches)
        ]
        sizes = [len(objects) for objects in contents]
        if max(sizes) > MAX_OBJECTS_PER_BATCH or sum(sizes) > MAX_OBJECTS:
            raise invalid("batches", "Too many objects in one request.")
        saved: list[dict[str, Any]] = []
        mappings: list[dict[str, str]] = []
        for n, objects in enumerate(contents):
            stored, ids = self._save(merchant, objects, field=f"batches[{n}].objects")
            saved.extend(stored)
            mappings.extend(ids)
        answer: dict[str, Any] = {"objects": saved, "updated_at": format_time(self._clock.now())}
        if mappings:
            answer["id_mappings"] = mappings
        return remember(merchant, "catalog.batch_upsert", key, body, answer)

    def _save(
        self, merchant: Merchant, objects: list[Any], *, field: str
    ) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
        """Check the whole batch first, then store it: all or nothing."""
        ids: dict[str, str] = {}
        for n, obj in enumerate(objects):
            self._check_object(merchant, obj, f"{field}[{n}]")
            for client_id in _client_ids(obj):
                if client_id.startswith("#"):
                    ids.setdefault(client_id, catalog_id())
        staged = [_resolved(copy.deepcopy(obj), ids) for obj in objects]
        for n, obj in enumerate(staged):
            self._check_references(merchant, obj, staged, f"{field}[{n}]")
        version = self._next_version()
        now = format_time(self._clock.now())
        for obj in staged:
            variations = obj.get("item_data", {}).get("variations", [])
            for stored in [obj, *variations]:
                created = merchant.catalog.get(stored["id"], {}).get("created_at", now)
                stored.update(version=version, updated_at=now, created_at=created, is_deleted=False)
                stored.setdefault("present_at_all_locations", True)
                merchant.catalog[stored["id"]] = stored
            if obj["type"] == "ITEM_VARIATION":
                _attach(merchant, obj)
        mappings = [{"client_object_id": c, "object_id": o} for c, o in ids.items()]
        return [self.document(merchant, obj) for obj in staged], mappings

    def _check_object(self, merchant: Merchant, obj: object, field: str) -> None:
        if not isinstance(obj, dict):
            raise SquareError(
                f"Expected an object for `{field}`.", code="EXPECTED_OBJECT", field=field
            )
        kind = obj.get("type")
        if kind not in TYPES:
            raise invalid(f"{field}.type", f"Catalog type `{kind}` is not emulated.")
        object_id = obj.get("id")
        if not isinstance(object_id, str) or not object_id:
            raise missing(f"{field}.id")
        if not object_id.startswith("#"):
            current = merchant.catalog.get(object_id)
            if current is None:
                raise invalid(f"{field}.id", f"Object `{object_id}` not found.")
            if obj.get("version") != current["version"]:
                raise SquareError(
                    f"Object version does not match for object `{object_id}`.",
                    code="VERSION_MISMATCH",
                    field=f"{field}.version",
                )
        if kind == "ITEM":
            data = object_field(obj, "item_data", field=f"{field}.item_data")
            if not data.get("name"):
                raise missing(f"{field}.item_data.name")
            variations = list_field(data, "variations", field=f"{field}.item_data.variations")
            if not variations:
                raise SquareError(
                    f"Item with name {data['name']} and token {object_id} must have at least "
                    "one variation.",
                    code="BAD_REQUEST",
                )
            for v, variation in enumerate(variations):
                self._check_object(merchant, variation, f"{field}.item_data.variations[{v}]")
        else:
            data = object_field(obj, "item_variation_data", field=f"{field}.item_variation_data")
            if data.get("price_money") is not None:
                parse_money(data["price_money"], field=f"{field}.item_variation_data.price_money")

    def _check_references(
        self, merchant: Merchant, obj: dict[str, Any], staged: list[dict[str, Any]], field: str
    ) -> None:
        if obj["type"] != "ITEM_VARIATION":
            return
        item_id = obj["item_variation_data"].get("item_id")
        known = {o["id"] for o in staged} | set(merchant.catalog)
        if item_id is None or item_id not in known:
            raise invalid(f"{field}.item_variation_data.item_id", f"Unknown item `{item_id}`.")

    def _next_version(self) -> int:
        now_ms = int(self._clock.now().timestamp() * 1000)
        self._last_version = max(now_ms, self._last_version + 1)
        return self._last_version

    @staticmethod
    def _types(types: str | None) -> tuple[str, ...]:
        if not types:
            return LISTED_BY_DEFAULT
        wanted = tuple(t.strip().upper() for t in types.split(",") if t.strip())
        for kind in wanted:
            if kind not in TYPES:
                raise SquareError(
                    f"Catalog type `{kind}` is not emulated.",
                    code="INVALID_ENUM_VALUE",
                    field="types",
                )
        return wanted

    @staticmethod
    def document(merchant: Merchant, obj: Mapping[str, Any]) -> dict[str, Any]:
        """An item lists its variations as they are now."""
        document = copy.deepcopy(dict(obj))
        if document["type"] == "ITEM":
            ids = [v["id"] for v in document["item_data"].get("variations", [])]
            document["item_data"]["variations"] = [
                copy.deepcopy(merchant.catalog[i]) for i in ids if i in merchant.catalog
            ]
        return document


def _client_ids(obj: Mapping[str, Any]) -> list[str]:
    ids = [str(obj.get("id", ""))]
    for variation in obj.get("item_data", {}).get("variations", []):
        ids.append(str(variation.get("id", "")))
    return ids


def _resolved(obj: dict[str, Any], ids: Mapping[str, str]) -> dict[str, Any]:
    """Replace `#client` ids with the new ones, in the object and its variations."""
    obj["id"] = ids.get(obj["id"], obj["id"])
    for variation in obj.get("item_data", {}).get("variations", []):
        variation["id"] = ids.get(variation["id"], variation["id"])
        data = variation.setdefault("item_variation_data", {})
        data["item_id"] = obj["id"]
    if obj["type"] == "ITEM_VARIATION":
        data = obj["item_variation_data"]
        data["item_id"] = ids.get(data.get("item_id", ""), data.get("item_id"))
    return obj


def _attach(merchant: Merchant, variation: Mapping[str, Any]) -> None:
    """A variation upserted on its own joins its item's list."""
    item = merchant.catalog[variation["item_variation_data"]["item_id"]]
    listed = item["item_data"].setdefault("variations", [])
    if all(v["id"] != variation["id"] for v in listed):
        listed.append({"id": variation["id"]})
