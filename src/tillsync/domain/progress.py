"""How far along a pull is: the pages it will read in all, from what the warehouse told."""

from __future__ import annotations

import math


def expected_pages(
    *,
    page_size: int | None,
    products: int | None,
    stock_rows: int | None = None,
    stock_pages: int | None = None,
    sales: int | None = None,
) -> int | None:
    """Pages a pull will read in all, from the totals the warehouse gave on each phase's
    first page; None until the products' total is known.

    Before availability's first page its total is unknown: products' count stands in for
    it (one row per product at one location is the common case). A quick pull asks for
    stock one product at a time (`stock_pages`). A catch-up of missed sales adds its pages
    once its first page gave their total.
    """
    if not page_size or products is None:
        return None
    if stock_pages is None:
        rows = products if stock_rows is None else stock_rows
        stock_pages = math.ceil(rows / page_size) if rows else 1
    missed = 0 if sales is None else max(1, math.ceil(sales / page_size))
    return max(1, math.ceil(products / page_size)) + stock_pages + missed
