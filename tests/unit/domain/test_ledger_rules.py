"""The ledger's arithmetic and the words the POS shows."""

from decimal import Decimal as D

import pytest

from tillsync.domain.alerts import AlertType, alert_change, alert_for, alert_message
from tillsync.domain.ledger import StockFigures, check_message, format_quantity, is_whole


def test_available_to_sell_subtracts_pending_and_reserved() -> None:
    figures = StockFigures(warehouse_available=D(10), pending=D(3), reserved=D(2))
    assert figures.available_to_sell == D(5)
    assert figures.net_stock == D(7)


def test_available_to_sell_is_never_shown_below_zero() -> None:
    assert StockFigures(D(1), D(3), D(0)).available_to_sell == D(0)


@pytest.mark.parametrize(
    ("available", "requested", "message"),
    [
        (D(1), D(2), "Insufficient stock (only 1 available, need 2)"),
        (D(0), D(1), "Insufficient stock (only 0 available, need 1)"),
        (D("2.5000"), D(3), "Insufficient stock (only 2.5 available, need 3)"),
        (D(12), D(5), "In stock (12 available)"),
        (D(5), D(5), "In stock (5 available)"),
    ],
)
def test_check_messages_follow_the_seed(available: D, requested: D, message: str) -> None:
    assert check_message(available, requested) == message


@pytest.mark.parametrize(
    ("value", "text"), [(D("10.0000"), "10"), (D("0.5000"), "0.5"), (D("1E+2"), "100")]
)
def test_quantities_print_without_trailing_zeros(value: D, text: str) -> None:
    assert format_quantity(value) == text


def test_whole_units() -> None:
    assert is_whole(D("2.0000"))
    assert not is_whole(D("2.5"))


@pytest.mark.parametrize(
    ("level", "reorder", "expected"),
    [
        (D(0), D(5), AlertType.OUT_OF_STOCK),
        (D(-1), D(0), AlertType.OUT_OF_STOCK),
        (D(5), D(5), AlertType.LOW_STOCK),
        (D(3), D(5), AlertType.LOW_STOCK),
        (D(6), D(5), None),
        (D(1), D(0), None),
    ],
)
def test_alert_for_level(level: D, reorder: D, expected: AlertType | None) -> None:
    assert alert_for(level, reorder) == expected


def test_running_out_resolves_low_and_raises_out() -> None:
    change = alert_change(
        level=D(0), reorder_level=D(5), open_types=frozenset({AlertType.LOW_STOCK})
    )
    assert change.raise_type is AlertType.OUT_OF_STOCK
    assert change.resolve_types == {AlertType.LOW_STOCK}


def test_an_open_alert_is_not_raised_twice() -> None:
    change = alert_change(
        level=D(0), reorder_level=D(5), open_types=frozenset({AlertType.OUT_OF_STOCK})
    )
    assert change.raise_type is None
    assert change.resolve_types == frozenset()


def test_restock_resolves_everything() -> None:
    change = alert_change(level=D(20), reorder_level=D(5), open_types=frozenset(AlertType))
    assert change.raise_type is None
    assert change.resolve_types == frozenset(AlertType)


def test_alert_messages_name_the_product() -> None:
    out = alert_message(AlertType.OUT_OF_STOCK, name="Tomb45", level=D(0), reorder_level=D(5))
    low = alert_message(AlertType.LOW_STOCK, name="Tomb45", level=D(2), reorder_level=D(5))
    assert out == "Tomb45 is out of stock"
    assert low == "Tomb45 is low on stock (2 left, reorder level 5)"
