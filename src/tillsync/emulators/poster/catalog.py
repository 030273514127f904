"""The rules of an account's objects: add, change and remove them, and set leftovers.

Every value is checked as Poster's back office would (a name present, a unit of kg, p or
l, a category that exists); a refusal is a `ValueError` naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from tillsync.emulators.poster.records import (
    CATEGORIES,
    INGREDIENTS,
    STORAGES,
    UNITS,
    ZERO,
    Account,
    Kind,
    Record,
)
from tillsync.emulators.poster.wire import decimal_of, number


def add(
    account: Account,
    kind: Kind,
    given: Mapping[str, object],
    *,
    prime_cost: int = 0,
    left: Mapping[int, Decimal] | None = None,
) -> Record:
    """A new object with the next id of its kind; an ingredient may start with leftovers."""
    fields = _checked(account, kind, given, base=dict(kind.fields))
    record = Record(kind, account.next_id(kind), fields)
    if kind is INGREDIENTS:
        record.prime_cost = _kopecks(prime_cost)
        for storage_id, value in (left or {}).items():
            storage_of(account, storage_id)
            record.left[storage_id] = value
    account.of(kind)[record.id] = record
    return record


def change(account: Account, kind: Kind, object_id: int, given: Mapping[str, object]) -> Record:
    """Change some fields of a live object; a prime cost (kopecks) for an ingredient."""
    record = live(account, kind, object_id)
    editable = {k: v for k, v in given.items() if k != "prime_cost"}
    record.fields = _checked(account, kind, editable, base=dict(record.fields))
    if "prime_cost" in given:
        if kind is not INGREDIENTS:
            raise ValueError("prime_cost: only ingredients have one")
        record.prime_cost = _kopecks(given["prime_cost"])
    return record


def remove(account: Account, kind: Kind, object_id: int) -> Record:
    """Mark the object deleted; a kind whose lists show no `delete` flag drops it."""
    record = live(account, kind, object_id)
    record.deleted = True
    if not kind.marks_deleted:
        del account.of(kind)[object_id]
    return record


def set_left(
    account: Account, ingredient_id: int, storage_id: int, value: Decimal
) -> tuple[Record, Decimal]:
    """Set an ingredient's leftover at a storage (negative allowed, as in Poster); the
    change made is returned with it."""
    record = live(account, INGREDIENTS, ingredient_id)
    storage_of(account, storage_id)
    before = record.left.get(storage_id, ZERO)
    record.left[storage_id] = value
    return record, value - before


def live(account: Account, kind: Kind, object_id: int) -> Record:
    record = account.of(kind).get(object_id)
    if record is None or record.deleted:
        raise ValueError(f"{kind.id_field}: no {kind.name[:-1]} {object_id}")
    return record


def storage_of(account: Account, storage_id: int) -> Record:
    return live(account, STORAGES, storage_id)


def _checked(
    account: Account, kind: Kind, given: Mapping[str, object], *, base: dict[str, str]
) -> dict[str, str]:
    unknown = sorted(set(given) - set(kind.fields))
    if unknown:
        raise ValueError(f"{', '.join(unknown)}: not a field of {kind.name}")
    for name, value in given.items():
        if not isinstance(value, str | int | float | Decimal) or isinstance(value, bool):
            raise ValueError(f"{name}: must be a string or a number")
        base[name] = value if isinstance(value, str) else number(Decimal(str(value)))
    if not base[kind.required].strip():
        raise ValueError(f"{kind.required}: must not be empty")
    if kind is INGREDIENTS:
        _check_ingredient(account, base)
    return base


def _check_ingredient(account: Account, fields: Mapping[str, str]) -> None:
    if fields["ingredient_unit"] not in UNITS:
        raise ValueError(f"ingredient_unit: one of {', '.join(UNITS)}")
    if fields["ingredients_type"] not in ("1", "2"):
        raise ValueError("ingredients_type: 1 (ingredient) or 2 (system)")
    if fields["hidden"] not in ("0", "1"):
        raise ValueError("hidden: 0 or 1")
    if decimal_of(fields["limit_value"]) is None:
        raise ValueError("limit_value: a number")
    category = fields["category_id"]
    if category != "0" and (not category.isdigit() or int(category) not in account.of(CATEGORIES)):
        raise ValueError(f"category_id: no category {category}")


def _kopecks(value: object) -> int:
    parsed = decimal_of(value)
    if parsed is None or parsed < 0 or parsed != parsed.to_integral_value():
        raise ValueError("prime_cost: whole kopecks, not negative")
    return int(parsed)
