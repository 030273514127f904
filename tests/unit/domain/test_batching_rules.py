"""When pushes share one warehouse document, and how one document sums several sales."""

from decimal import Decimal

import pytest

from tillsync.domain.batching import Batching, busy
from tillsync.domain.sales import SaleLine, summed


def test_settings_default_to_auto_batching() -> None:
    assert Batching.of({}) == Batching(mode="auto", threshold=5, most=100, linger=None)


def test_settings_are_read_as_given() -> None:
    settings = {
        "push_mode": "batched",
        "batch_threshold": "3",
        "batch_max_sales": 7,
        "batch_linger_seconds": "1.5",
    }
    assert Batching.of(settings) == Batching(mode="batched", threshold=3, most=7, linger=1.5)


@pytest.mark.parametrize(
    ("linger", "expected"),
    [(None, 6.0), (0.0, 0.0), (2.5, 2.5)],
)
def test_a_batch_lingers_long_enough_to_use_at_most_half_the_budget(
    linger: float | None, expected: float
) -> None:
    batching = Batching(mode="auto", threshold=5, most=100, linger=linger)
    assert batching.linger_for(calls_per_document=3, calls=60, window_seconds=60.0) == expected


@pytest.mark.parametrize(
    ("mode", "is_busy", "forming", "waiting", "alone"),
    [
        ("auto", False, False, 0, True),
        ("auto", False, False, 3, True),
        ("auto", False, False, 4, False),
        ("auto", True, False, 0, False),
        ("auto", False, True, 0, False),
        ("batched", False, False, 0, False),
    ],
)
def test_a_push_goes_alone_only_while_the_shop_is_calm(
    mode: str, is_busy: bool, forming: bool, waiting: int, alone: bool
) -> None:
    batching = Batching(mode=mode, threshold=5, most=100, linger=None)
    assert batching.goes_alone(busy=is_busy, forming=forming, waiting=waiting) is alone


@pytest.mark.parametrize(
    ("room", "waiting", "expected"),
    [(60, 0, False), (60, 9, False), (60, 10, True), (30, 0, True), (33, 0, False)],
)
def test_the_shop_is_busy_once_pushing_every_waiting_sale_would_pass_half_the_budget(
    room: int, waiting: int, expected: bool
) -> None:
    assert busy(room=room, waiting=waiting, calls_per_document=3, lane_limit=60) is expected


def test_a_batch_sums_its_lines_per_sku_keeping_the_amount() -> None:
    lines = [
        SaleLine(sku="B", name="Brush", quantity=Decimal(1), price=Decimal("10.00")),
        SaleLine(sku="A", name="", quantity=Decimal(2), price=Decimal("3.00"), tax=Decimal(1)),
        SaleLine(sku="A", name="Apple", quantity=Decimal(1), price=Decimal("6.00")),
        SaleLine(sku="B", name="Other", quantity=Decimal(3), price=Decimal("2.00")),
    ]
    assert summed(lines) == [
        SaleLine(sku="A", name="Apple", quantity=Decimal(3), price=Decimal(4), tax=Decimal(1)),
        SaleLine(sku="B", name="Brush", quantity=Decimal(4), price=Decimal(4), tax=Decimal(0)),
    ]
