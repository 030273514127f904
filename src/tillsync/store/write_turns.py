"""SQLite's one writer, taken in turn by this process's writers: urgent ones first."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

URGENT, ORDINARY = 0, 1


class WriteTurns:
    """A first-come lock on which an urgent writer goes before every ordinary one waiting.

    A worker renewing a job's lease writes one row, and must within a third of the lease;
    behind the writes of every slot of its worker it could wait past the lease, and the job
    would be claimed again while it runs. Urgent writes are few and small (renewals,
    heartbeats), so they cannot starve the others.
    """

    def __init__(self) -> None:
        self._held = False
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._arrivals = itertools.count()

    @asynccontextmanager
    async def turn(self, *, urgent: bool = False) -> AsyncIterator[None]:
        await self._acquire(URGENT if urgent else ORDINARY)
        try:
            yield
        finally:
            self._pass_on()

    async def _acquire(self, rank: int) -> None:
        if not self._held and not self._waiting:
            self._held = True
            return
        handed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (rank, next(self._arrivals), handed))
        try:
            await handed
        except asyncio.CancelledError:
            if handed.done() and not handed.cancelled():
                self._pass_on()  # the turn came as the waiter was cancelled: give it on
            raise

    def _pass_on(self) -> None:
        """The turn goes straight to the first waiter still waiting, or is free."""
        while self._waiting:
            _, _, handed = heapq.heappop(self._waiting)
            if not handed.done():
                handed.set_result(None)
                return
        self._held = False
