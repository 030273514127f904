"""Write-offs (Poster's "wastes"): `storage.createWriteOff`, `storage.getWastes`,
`storage.getWaste`.

A write-off takes each line's weight off the ingredient's leftover at its storage (below
zero too, as Poster allows), each change sending its `stock` hook. It is made whole or
refused whole. Only ingredient lines (`type` 4) are emulated.

GUESS where the docs are silent: a line's `reason` (documented as its comment) is echoed in
`storage.getWaste`'s ingredient rows; an unknown storage or ingredient is error 32, a
missing or non-positive weight error 34, another line type error 400; the body's
`write_off` and `ingredient` come as JSON (the PHP SDK's way), not as bracketed form keys.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from tillsync.emulators.poster.errors import BAD_REQUEST, FIELD_EMPTY, ID_MISSING, PosterError
from tillsync.emulators.poster.records import INGREDIENTS, STORAGES, Account
from tillsync.emulators.poster.wire import decimal_of, number

if TYPE_CHECKING:
    from tillsync.emulators.poster.state import PosterState

INGREDIENT = "4"
DATE = "%Y-%m-%d %H:%M:%S"
_DATE = re.compile(r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]) ([01]\d|2[0-3]):[0-5]\d:[0-5]\d")


@dataclass(slots=True)
class Waste:
    id: int
    storage_id: int
    date: str
    lines: list[dict[str, Any]] = field(default_factory=list)
    deleted: bool = False

    def row(self) -> dict[str, Any]:
        """As `storage.getWastes` lists it (numbers as JSON numbers, as in Poster's sample)."""
        total = sum((Decimal(line["cost"]) for line in self.lines), Decimal(0))
        return {
            "waste_id": self.id,
            "total_sum": int(total),
            "user_id": 1,
            "storage_id": self.storage_id,
            "date": self.date,
            "reason_id": 0,
            "reason_name": None,
            "delete": int(self.deleted),
        }

    def detail(self) -> dict[str, Any]:
        """As `storage.getWaste` answers it: one element per ingredient line (type 10)."""
        row = {k: v for k, v in self.row().items() if k != "delete"}
        row["elements"] = [
            {"type": 10, "product_id": 0, "count": 1, "ingredients": [line]} for line in self.lines
        ]
        return row


def create(state: PosterState, account: Account, params: dict[str, str]) -> int:
    """Check every line, then write them off: the new write-off's id."""
    head = _json(params, "write_off")
    if not isinstance(head, dict):
        raise PosterError(FIELD_EMPTY, "write_off is empty")
    storage_id = _id(head.get("storage_id"), "storage_id")
    storage = account.of(STORAGES).get(storage_id)
    if storage is None or storage.deleted:
        raise PosterError(ID_MISSING, "Storage not found")
    date = str(head.get("date") or state.clock.now().strftime(DATE))
    if not _DATE.fullmatch(date):  # the account's local time, no zone
        raise PosterError(BAD_REQUEST, "date must be Y-m-d H:i:s")
    lines = _json(params, "ingredient")
    if not isinstance(lines, list) or not lines:
        raise PosterError(FIELD_EMPTY, "ingredient is empty")
    checked = [_line(account, line) for line in lines]
    waste = Waste(max(account.wastes, default=0) + 1, storage_id, date)
    for ingredient, weight, reason in checked:
        record = account.of(INGREDIENTS)[ingredient]
        left = record.left.get(storage_id, Decimal(0))
        state.set_left(account.login, ingredient, storage_id, left - weight)
        cost = (weight * record.prime_cost).quantize(Decimal(1), ROUND_HALF_UP)
        waste.lines.append(
            {
                "write_off_id": len(waste.lines) + 1,
                "ingredient_id": ingredient,
                "product_id": 0,
                "prepack_id": 0,
                "weight": number(weight),
                "unit": record.fields["ingredient_unit"],
                "cost": int(cost),
                "reason": reason,
            }
        )
    account.wastes[waste.id] = waste
    return waste.id


def listing(account: Account, params: dict[str, str], *, today: dt.date) -> list[dict[str, Any]]:
    """Write-offs dated `dateFrom`..`dateTo` (Ymd, inclusive; a month ago..today by default)."""
    start = _day(params.get("dateFrom"), today - dt.timedelta(days=30))
    end = _day(params.get("dateTo"), today)
    return [
        waste.row()
        for waste in account.wastes.values()
        if start <= dt.date.fromisoformat(waste.date[:10]) <= end
    ]


def one(account: Account, params: dict[str, str]) -> dict[str, Any] | bool:
    waste = account.wastes.get(_id(params.get("waste_id"), "waste_id"))
    return False if waste is None else waste.detail()


def _line(account: Account, line: Any) -> tuple[int, Decimal, str]:
    if not isinstance(line, dict):
        raise PosterError(FIELD_EMPTY, "ingredient is empty")
    if str(line.get("type", "")) != INGREDIENT:
        raise PosterError(BAD_REQUEST, "only ingredient lines (type 4) are emulated")
    ingredient = _id(line.get("id"), "id")
    record = account.of(INGREDIENTS).get(ingredient)
    if record is None or record.deleted:
        raise PosterError(ID_MISSING, "Ingredient not found")
    weight = decimal_of(line.get("weight"))
    if weight is None or weight <= 0:
        raise PosterError(FIELD_EMPTY, "weight is empty")
    return ingredient, weight, str(line.get("reason") or "")


def _json(params: dict[str, str], name: str) -> Any:
    try:
        return json.loads(params.get(name, ""))
    except ValueError:
        return None


def _id(value: Any, name: str) -> int:
    text = str(value or "")
    if not text.isdigit():
        raise PosterError(ID_MISSING, f"{name} is empty")
    return int(text)


def _day(value: str | None, default: dt.date) -> dt.date:
    if not value:
        return default
    try:
        return dt.date.fromisoformat(f"{value[:4]}-{value[4:6]}-{value[6:]}")
    except ValueError:
        raise PosterError(BAD_REQUEST, "dates are Ymd") from None
