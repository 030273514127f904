"""The pages a pull will read in all, as the warehouse's totals come in."""

import pytest

from tillsync.domain.progress import expected_pages


@pytest.mark.parametrize(
    ("told", "expected"),
    [
        ({"page_size": 100, "products": None}, None),  # before the first page
        ({"page_size": None, "products": 250}, None),
        ({"page_size": 100, "products": 250}, 6),  # stock assumed one row per product
        ({"page_size": 100, "products": 0}, 2),  # an empty catalog still reads a page each
        ({"page_size": 100, "products": 250, "stock_rows": 420}, 8),
        ({"page_size": 100, "products": 250, "stock_rows": 0}, 4),
        ({"page_size": 100, "products": 30, "stock_pages": 12}, 13),  # a quick pull's SKUs
        ({"page_size": 100, "products": 250, "stock_rows": 420, "sales": 0}, 9),
        ({"page_size": 100, "products": 250, "stock_rows": 420, "sales": 150}, 10),
    ],
)
def test_expected_pages_from_what_the_warehouse_told(
    told: dict[str, int | None], expected: int | None
) -> None:
    assert expected_pages(**told) == expected  # type: ignore[arg-type]
