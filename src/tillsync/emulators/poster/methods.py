"""The API methods the emulator answers (`/api/{section}.{method}`), one small rule each.

Lists return every object (Poster pages none of these); a getter of an id that does not
exist answers `"response": false`; a getter without its id answers error 32. Write-offs
are `wastes`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from tillsync.emulators.poster import wastes
from tillsync.emulators.poster.errors import ID_MISSING, PosterError, missing
from tillsync.emulators.poster.records import (
    CATEGORIES,
    INGREDIENTS,
    STORAGES,
    SUPPLIERS,
    ZERO,
    Account,
    Kind,
    Record,
)
from tillsync.emulators.poster.responses import Created
from tillsync.emulators.poster.wire import quantity

if TYPE_CHECKING:
    from tillsync.emulators.poster.state import PosterState


@dataclass(frozen=True, slots=True)
class Call:
    """One authenticated call: the token's account and the query and form parameters."""

    account: Account
    params: Mapping[str, str]
    state: PosterState
    """For a write: its clock, and the hooks its changes send."""


Method = Callable[[Call], Any]


def _listing(kind: Kind) -> Method:
    def listed(call: Call) -> list[dict[str, Any]]:
        return [record.row() for record in call.account.of(kind).values()]

    return listed


def _getter(kind: Kind) -> Method:
    def got(call: Call) -> dict[str, Any] | bool:
        record = call.account.of(kind).get(_id(call.params, kind.id_field, required=True) or 0)
        return False if record is None else record.row()

    return got


def _leftovers(call: Call) -> list[dict[str, Any]]:
    """`storage.getStorageLeftovers`: ingredients' leftovers, over every storage or one."""
    params = call.params
    storage_id = _id(params, "storage_id", required=False)
    if storage_id is not None:
        storage = call.account.of(STORAGES).get(storage_id)
        if storage is None or storage.deleted:
            raise PosterError(ID_MISSING, "Storage not found")
    if params.get("type", "1") != "1":
        return []  # products, modifiers, dishes and semi-finished goods are not emulated
    category = params.get("category_id")
    with_zero = params.get("zero_leftovers", "").lower() == "true"
    rows = []
    for record in call.account.of(INGREDIENTS).values():
        if record.deleted or (category and record.fields["category_id"] != category):
            continue
        left = record.total_left if storage_id is None else record.left.get(storage_id, ZERO)
        if left == ZERO and not with_zero:
            continue
        rows.append(_leftover_row(record, storage_id, left))
    return rows


def _leftover_row(record: Record, storage_id: int | None, left: Decimal) -> dict[str, Any]:
    fields = record.fields
    row: dict[str, Any] = {
        "ingredient_id": str(record.id),
        "ingredient_name": fields["ingredient_name"],
        "ingredient_left": quantity(record.total_left),
        "limit_value": fields["limit_value"],
        "ingredient_unit": fields["ingredient_unit"],
        "ingredients_type": fields["ingredients_type"],
    }
    if storage_id is not None:
        row["storage_ingredient_left"] = quantity(left)
    worth = (left * record.prime_cost).quantize(Decimal(1), ROUND_HALF_UP)
    row["storage_ingredient_sum"] = str(max(worth, ZERO))
    row["prime_cost"] = record.prime_cost  # a JSON number in Poster's own sample
    row["hidden"] = fields["hidden"]
    return row


def _id(params: Mapping[str, str], name: str, *, required: bool) -> int | None:
    value = params.get(name, "")
    if not value:
        if required:
            raise missing(name)
        return None
    if not value.isdigit():
        raise PosterError(ID_MISSING, f"{name} does not exist")
    return int(value)


METHODS: dict[str, Method] = {
    "storage.getSuppliers": _listing(SUPPLIERS),
    "storage.getStorages": _listing(STORAGES),
    "storage.getStorage": _getter(STORAGES),
    "storage.getStorageLeftovers": _leftovers,
    "menu.getIngredients": _listing(INGREDIENTS),
    "menu.getIngredient": _getter(INGREDIENTS),
    "menu.getCategoriesIngredients": _listing(CATEGORIES),
    "menu.getCategoryIngredients": _getter(CATEGORIES),
    "storage.createWriteOff": lambda c: Created(wastes.create(c.state, c.account, {**c.params})),
    "storage.getWastes": lambda c: wastes.listing(
        c.account, {**c.params}, today=c.state.clock.now().date()
    ),
    "storage.getWaste": lambda c: wastes.one(c.account, {**c.params}),
}
