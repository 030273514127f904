"""Poster's objects in our words: pure functions over its JSON, tested on recorded rows.

Poster writes every number as a string (`"443.45000"`), money in kopecks, flags as
`"0"`/`"1"` and removals as `delete: "1"` (the object stays listed). A record keeps
Poster's own field names with numbers as exact decimals, money in units (kopecks / 100),
flags as booleans; `delete` becomes the record's removal and is not kept in its data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from tillsync.domain.records import RemoteRecord

KOPECKS_PER_UNIT = Decimal(100)
QUANTITIES = frozenset(
    {"ingredient_left", "storage_ingredient_left", "limit_value", "ingredient_weight"}
)
MONEY = frozenset({"prime_cost", "storage_ingredient_sum", "cost", "price"})
"""Fields Poster gives in kopecks."""
FLAGS = frozenset({"hidden", "delete"})


@dataclass(frozen=True, slots=True)
class Entity:
    """One kind of object kept as records: how Poster lists it, gets one, and names it; the
    webhook object that tells of its changes (None: Poster sends none, as for suppliers)."""

    name: str
    listing: str
    getter: str | None
    id_field: str
    name_field: str
    hook: str | None


SUPPLIERS = Entity("suppliers", "storage.getSuppliers", None, "supplier_id", "supplier_name", None)
STORAGES = Entity(
    "storages", "storage.getStorages", "storage.getStorage", "storage_id", "storage_name", "storage"
)
CATEGORIES = Entity(
    "categories",
    "menu.getCategoriesIngredients",
    "menu.getCategoryIngredients",
    "category_id",
    "name",
    "ingredients_category",
)
INGREDIENTS = Entity(
    "ingredients",
    "menu.getIngredients",
    "menu.getIngredient",
    "ingredient_id",
    "ingredient_name",
    "ingredient",
)
ENTITIES = {entity.name: entity for entity in (SUPPLIERS, INGREDIENTS, STORAGES, CATEGORIES)}
BY_HOOK = {entity.hook: entity for entity in ENTITIES.values() if entity.hook}


def record_of(entity: Entity, row: Mapping[str, Any]) -> RemoteRecord:
    """One object of a listing or a getter; ValueError for a row without its id."""
    external_id = str(row.get(entity.id_field) or "").strip()
    if not external_id:
        raise ValueError(f"a {entity.name} row without {entity.id_field}")
    data = {key: value_of(key, value) for key, value in row.items() if key != "delete"}
    return RemoteRecord(
        external_id=external_id,
        name=str(row.get(entity.name_field) or ""),
        data=data,
        deleted=flag(row.get("delete")),
    )


def value_of(key: str, value: Any) -> Any:
    """A field's value with Poster's numbers read exactly; what is not a number stays as is."""
    if key in FLAGS:
        return flag(value)
    if key in MONEY:
        amount = decimal(value)
        return None if amount is None else amount / KOPECKS_PER_UNIT
    if key in QUANTITIES:
        return decimal(value)
    if isinstance(value, float):  # never kept as a float: its exact decimal text instead
        return Decimal(repr(value))
    return value


def decimal(value: Any) -> Decimal | None:
    """`"443.45000"`, `12`, `"-3"` as exact decimals; empty as None; other text kept out."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{value!r} is not a number")
    return number


def flag(value: Any) -> bool:
    return str(value).strip() in ("1", "true")


def leftover_of(row: Mapping[str, Any]) -> dict[str, Any]:
    """One row of `storage.getStorageLeftovers`: quantities exact, prime cost in units."""
    return {key: value_of(key, value) for key, value in row.items()}
