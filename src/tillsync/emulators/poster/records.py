"""What an account keeps: its kinds of objects declared as data, and the objects themselves."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from tillsync.emulators.poster.wire import flag, quantity

if TYPE_CHECKING:
    from tillsync.emulators.poster.wastes import Waste

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of object: its id field, its editable fields with their defaults, the field
    that must not be empty, the webhook object its changes send (None: Poster sends none),
    and whether a removal stays listed with `delete: "1"` (else it leaves the lists)."""

    name: str
    id_field: str
    fields: Mapping[str, str]
    required: str
    hook: str | None
    marks_deleted: bool = True


SUPPLIERS = Kind(
    "suppliers",
    "supplier_id",
    {
        "supplier_name": "",
        "supplier_phone": "",
        "supplier_adress": "",  # Poster's spelling
        "supplier_comment": "",
        "supplier_code": "",
        "supplier_tin": "",
    },
    "supplier_name",
    hook=None,
)
STORAGES = Kind(
    "storages", "storage_id", {"storage_name": "", "storage_adress": ""}, "storage_name", "storage"
)
CATEGORIES = Kind(
    "categories", "category_id", {"name": ""}, "name", "ingredients_category", marks_deleted=False
)
INGREDIENTS = Kind(
    "ingredients",
    "ingredient_id",
    {
        "ingredient_name": "",
        "ingredient_barcode": "",
        "category_id": "0",
        "limit_value": "0",
        "ingredient_unit": "kg",
        "ingredients_type": "1",
        "hidden": "0",
    },
    "ingredient_name",
    "ingredient",
)
KINDS = {kind.name: kind for kind in (SUPPLIERS, STORAGES, CATEGORIES, INGREDIENTS)}
UNITS = ("kg", "p", "l")

# Fields of an ingredient the emulator does not model, as Poster writes them when unused.
INGREDIENT_EXTRAS: dict[str, Any] = {
    "time_notif": "0",
    "ingredient_weight": 0,
    "ingredients_losses_clear": "0",
    "ingredients_losses_cook": "0",
    "ingredients_losses_fry": "0",
    "ingredients_losses_stew": "0",
    "ingredients_losses_bake": "0",
    "partial_write_off": "0",
}


@dataclass(slots=True)
class Record:
    """One object. Ingredients also have a prime cost (kopecks) and leftovers per storage."""

    kind: Kind
    id: int
    fields: dict[str, str]
    deleted: bool = False
    prime_cost: int = 0
    left: dict[int, Decimal] = field(default_factory=dict)

    @property
    def total_left(self) -> Decimal:
        return sum(self.left.values(), ZERO)

    def row(self) -> dict[str, Any]:
        """The object as Poster's list and getter write it: every value a string."""
        row: dict[str, Any] = {self.kind.id_field: str(self.id), **self.fields}
        if self.kind is INGREDIENTS:
            hidden = row.pop("hidden")
            row["ingredient_left"] = quantity(self.total_left)
            row.update(INGREDIENT_EXTRAS)
            row["hidden"] = hidden
        if self.kind.marks_deleted:
            row["delete"] = flag(self.deleted)
        return row


@dataclass(slots=True)
class Account:
    """A Poster account (one restaurant): login, number, whether our application is
    installed on it (only then does it send webhooks), and its objects by kind."""

    login: str
    number: str
    company_name: str
    installed: bool = False
    objects: dict[str, dict[int, Record]] = field(
        default_factory=lambda: {name: {} for name in KINDS}
    )
    last_id: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    wastes: dict[int, Waste] = field(default_factory=dict)
    """Its write-offs by id."""

    def of(self, kind: Kind) -> dict[int, Record]:
        return self.objects[kind.name]

    def next_id(self, kind: Kind) -> int:
        self.last_id[kind.name] += 1
        return self.last_id[kind.name]

    def counts(self) -> dict[str, int]:
        return {name: len(objects) for name, objects in self.objects.items()}
