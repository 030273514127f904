"""A listing's pages as a pull reads them: the next is fetched while one is stored."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable, Coroutine
from typing import Any, TypeVar

from sqlalchemy import text

from tillsync.connectors.contract import Page
from tillsync.services.context import Services

STATISTICS_FROM = 8
"""A pull refreshes PostgreSQL's planner statistics at this page, and each time it doubles."""
ANALYSED = ("products", "stock_levels", "sync_stage", "sync_seen", "pending_movements")
T = TypeVar("T")
Fetch = Callable[[int], Coroutine[Any, Any, Page[T]]]


async def prefetched(fetch: Fetch[T], first: int) -> AsyncGenerator[tuple[int, Page[T]]]:
    """Each page with its number; the next is fetched meanwhile.

    While the caller stores one page, the call for the next is already on its way (it has
    taken its grant first), so a pull is paced by the warehouse's budget, not our writes.
    """
    number, page = first, await fetch(first)
    while True:
        upcoming = None if page.last else asyncio.create_task(fetch(number + 1))
        await asyncio.sleep(0)  # let the next call take its grant before this page's writes
        try:
            yield number, page
        except BaseException:
            if upcoming is not None:
                upcoming.cancel()
                await asyncio.gather(upcoming, return_exceptions=True)
            raise
        if upcoming is None:
            return
        number, page = number + 1, await upcoming


async def keep_statistics(services: Services, page: int) -> None:
    """On PostgreSQL, refresh the planner's statistics as a pull doubles what it has read.

    A first pull grows the catalog from empty to its full size in minutes, faster than
    autovacuum analyses it (if it runs at all): with statistics of empty tables the planner
    keeps choosing plans that get slower with every page.
    """
    if page < STATISTICS_FROM or page & (page - 1):
        return
    async with services.uows.begin() as uow:
        if uow.session.get_bind().dialect.name == "postgresql":
            await uow.session.execute(text(f"ANALYZE {', '.join(ANALYSED)}"))
            await uow.commit()
