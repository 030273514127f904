"""What the pages show: stock marks by the alert rule, times relative to now."""

import datetime as dt
from decimal import Decimal

import pytest

from tillsync.clock import FakeClock
from tillsync.dashboard.pages.stock import lines_of
from tillsync.dashboard.rendering import ago
from tillsync.domain.alerts import AlertType
from tillsync.services.products import CatalogProduct
from tillsync.services.stock_rows import LocationStock


def _product(reorder: int, *rows: tuple[int, int, int]) -> CatalogProduct:
    locations = tuple(
        LocationStock(
            sku="SKU",
            location=f"L{i}",
            available_to_sell=Decimal(w - p - r),
            warehouse_available=Decimal(w),
            pending=Decimal(p),
            reserved=Decimal(r),
            as_of=None,
        )
        for i, (w, p, r) in enumerate(rows)
    )
    return CatalogProduct(
        id="p",
        sku="SKU",
        name="A product",
        barcode=None,
        price=None,
        reorder_level=Decimal(reorder),
        active=True,
        available_to_sell=sum((s.available_to_sell for s in locations), Decimal(0)),
        locations=locations,
    )


@pytest.mark.parametrize(
    ("reorder", "figures", "mark"),
    [
        (5, (10, 0, 0), None),
        (5, (5, 0, 0), AlertType.LOW_STOCK),
        (5, (8, 3, 0), AlertType.LOW_STOCK),  # pending sales count
        (5, (8, 0, 3), None),  # a checkout's hold does not, as with alerts
        (5, (3, 3, 0), AlertType.OUT_OF_STOCK),
        (0, (1, 0, 0), None),  # no reorder level: never low
        (0, (0, 0, 0), AlertType.OUT_OF_STOCK),
    ],
)
def test_stock_marks_follow_the_alert_rule(
    reorder: int, figures: tuple[int, int, int], mark: AlertType | None
) -> None:
    (line,) = lines_of(_product(reorder, figures)).lines
    assert line.mark == mark


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (None, "never"),
        (0, "just now"),
        (59, "just now"),
        (60, "1 min ago"),
        (3_599, "59 min ago"),
        (3_600, "1 h ago"),
        (86_400, "1 day ago"),
        (3 * 86_400, "3 days ago"),
    ],
)
def test_times_are_shown_relative_to_now(seconds: int | None, shown: str) -> None:
    now = FakeClock().now()
    when = None if seconds is None else now - dt.timedelta(seconds=seconds)
    assert ago(when, now) == shown
