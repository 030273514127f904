"""The stock held in memory: rows by tenant, SKU and location, and reservations that ran out."""

import datetime as dt
from decimal import Decimal as D

import pytest

from tillsync.domain.ledger import StockFigures
from tillsync.domain.stock_memory import NO_STOCK, Row, StockMemory

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
MAIN = "Main Warehouse"


def _row(location: str = MAIN, available: int = 10, **extra: object) -> Row:
    values: dict[str, object] = {
        "location": location,
        "warehouse_available": D(available),
        "pending": D(0),
        "reserved": D(0),
        "as_of": NOW,
    }
    return Row(**(values | extra))  # type: ignore[arg-type]


def test_an_unknown_sku_is_none_and_a_known_one_without_a_row_has_nothing() -> None:
    memory = StockMemory()
    memory.add_product("t1", "LISTED", whole_units=True)

    assert memory.figures("t1", "NOPE", MAIN, now=NOW) is None
    assert memory.figures("t1", "LISTED", MAIN, now=NOW) == NO_STOCK
    assert memory.figures("t2", "LISTED", MAIN, now=NOW) is None  # another tenant's product


def test_a_row_put_again_replaces_that_location_only() -> None:
    memory = StockMemory()
    memory.put("t1", "A", _row(MAIN, 10), whole_units=True)
    memory.put("t1", "A", _row("Shop", 4), whole_units=True)
    memory.put("t1", "A", _row(MAIN, 7, pending=D(2)), whole_units=True)

    assert memory.figures("t1", "A", MAIN, now=NOW) == StockFigures(D(7), D(2), D(0))
    assert memory.figures("t1", "A", "Shop", now=NOW) == StockFigures(D(4), D(0), D(0))
    assert len(memory) == 2


def test_a_row_removed_leaves_its_product_known() -> None:
    memory = StockMemory()
    memory.put("t1", "A", _row(), whole_units=False)
    memory.remove("t1", "A", MAIN)

    assert memory.figures("t1", "A", MAIN, now=NOW) == NO_STOCK
    item = memory.item("t1", "A")
    assert item is not None
    assert item.whole_units is False


def test_a_product_added_again_keeps_its_rows() -> None:
    memory = StockMemory()
    memory.put("t1", "A", _row(available=5), whole_units=True)
    memory.add_product("t1", "A", whole_units=True)

    assert memory.figures("t1", "A", MAIN, now=NOW) == StockFigures(D(5), D(0), D(0))


@pytest.mark.parametrize(
    ("seconds_later", "reserved_counted"),
    [
        (0, D(5)),  # both holds still run
        (60, D(3)),  # the 2 ending at +60 s have run out: free again
        (600, D(0)),  # both ran out
    ],
)
def test_reservations_that_ran_out_count_as_free(seconds_later: int, reserved_counted: D) -> None:
    holds = (
        (NOW + dt.timedelta(seconds=60), D(2)),
        (NOW + dt.timedelta(seconds=300), D(3)),
    )
    memory = StockMemory()
    memory.put("t1", "A", _row(reserved=D(5), holds=holds), whole_units=True)

    later = NOW + dt.timedelta(seconds=seconds_later)
    figures = memory.figures("t1", "A", MAIN, now=later)

    assert figures == StockFigures(D(10), D(0), reserved_counted)
    assert figures is not None
    assert figures.available_to_sell == D(10) - reserved_counted


def test_equal_figures_share_one_object() -> None:
    memory = StockMemory()
    memory.put("t1", "A", _row(available=12), whole_units=True)
    memory.put("t1", "B", _row(available=12, as_of=NOW + dt.timedelta(0)), whole_units=True)

    a, b = memory.item("t1", "A"), memory.item("t1", "B")
    assert a is not None
    assert b is not None
    assert a.rows[0].warehouse_available is b.rows[0].warehouse_available
    assert a.rows[0].as_of is b.rows[0].as_of
