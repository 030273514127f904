"""Every SKU's stock at every location, held in memory: what a stock check needs, no I/O.

The hub keeps one `StockMemory` per process (services/stock_model.py loads and refreshes
it); this module only holds the figures and answers from them. Per tenant, a SKU maps to
one small immutable `Item`: whether the product sells in whole units, and its rows, one
per location. A row is replaced whole when it changes, so a reader never sees half of it.

Reservations that ran out are free stock before the sweep ends them (there is no event
at expiry): a row keeps its active reservations' ends and quantities (`holds`, empty for
nearly every row) and a read subtracts those past `now` from `reserved`.

Entries stay small for a million SKUs: figures and report times repeat across rows (a
pull reports many rows at one time, most figures are small whole numbers), so equal
values share one object (`_shared`, bounded), and so do equal location names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple, TypeVar

from tillsync.domain.ledger import ZERO, StockFigures

SHARED_VALUES = 100_000
"""At most this many distinct figures and times are shared; others are kept as given."""

Value = TypeVar("Value", Decimal, dt.datetime, str)
Hold = tuple[dt.datetime, Decimal]
"""An active reservation: when it runs out, and its quantity."""


class Row(NamedTuple):
    """One SKU at one location, as committed."""

    location: str
    warehouse_available: Decimal
    pending: Decimal
    reserved: Decimal
    as_of: dt.datetime | None
    holds: tuple[Hold, ...] = ()

    def figures(self, now: dt.datetime) -> StockFigures:
        lapsed = sum((quantity for ends, quantity in self.holds if ends <= now), ZERO)
        return StockFigures(self.warehouse_available, self.pending, self.reserved - lapsed)


class Item(NamedTuple):
    """A product of the catalog and its rows."""

    whole_units: bool
    rows: tuple[Row, ...] = ()

    def row(self, location: str) -> Row | None:
        for row in self.rows:
            if row.location == location:
                return row
        return None


NO_STOCK = StockFigures(ZERO, ZERO, ZERO)
"""A known product the warehouse never reported at a location."""


class StockMemory:
    def __init__(self) -> None:
        self._tenants: dict[str, dict[str, Item]] = {}
        self._shared: dict[object, object] = {}

    def __len__(self) -> int:
        """How many rows are held."""
        return sum(len(item.rows) for items in self._tenants.values() for item in items.values())

    def item(self, tenant_id: str, sku: str) -> Item | None:
        """The product and its rows; None for a SKU this memory has not heard of."""
        items = self._tenants.get(tenant_id)
        return items.get(sku) if items is not None else None

    def figures(
        self, tenant_id: str, sku: str, location: str, *, now: dt.datetime
    ) -> StockFigures | None:
        """The row's figures at `now`, zeros for a known SKU without a row there, else None."""
        item = self.item(tenant_id, sku)
        if item is None:
            return None
        row = item.row(location)
        return row.figures(now) if row is not None else NO_STOCK

    def items(self, tenant_id: str) -> Iterator[tuple[str, Item]]:
        return iter(self._tenants.get(tenant_id, {}).items())

    def add_product(self, tenant_id: str, sku: str, *, whole_units: bool) -> None:
        """A product of the catalog; one known already keeps its rows."""
        items = self._tenants.setdefault(tenant_id, {})
        if sku not in items:
            items[sku] = Item(whole_units)

    def put(self, tenant_id: str, sku: str, row: Row, *, whole_units: bool) -> None:
        """Take a committed row as it now is (its product is added when new)."""
        items = self._tenants.setdefault(tenant_id, {})
        item = items.get(sku)
        kept = tuple(r for r in item.rows if r.location != row.location) if item else ()
        shared = Row(
            location=self._share(row.location),
            warehouse_available=self._share(row.warehouse_available),
            pending=self._share(row.pending),
            reserved=self._share(row.reserved),
            as_of=self._share(row.as_of) if row.as_of is not None else None,
            holds=row.holds,
        )
        items[sku] = Item(item.whole_units if item else whole_units, (*kept, shared))

    def remove(self, tenant_id: str, sku: str, location: str) -> None:
        """A row that is gone; its product stays."""
        item = self.item(tenant_id, sku)
        if item is not None and item.row(location) is not None:
            rows = tuple(r for r in item.rows if r.location != location)
            self._tenants[tenant_id][sku] = Item(item.whole_units, rows)

    def _share(self, value: Value) -> Value:
        found = self._shared.get(value)
        if found is not None:
            return found  # type: ignore[return-value]  # equal values are of one type here
        if len(self._shared) < SHARED_VALUES:
            self._shared[value] = value
        return value


@dataclass(frozen=True, slots=True)
class Known:
    """A check's answer from memory: the product's unit rule and the row's figures."""

    whole_units: bool
    figures: StockFigures
    as_of: dt.datetime


@dataclass(frozen=True, slots=True)
class Shown:
    """Products answered from memory, by SKU, and when the memory's last round began."""

    items: dict[str, Item]
    as_of: dt.datetime
