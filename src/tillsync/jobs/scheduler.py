"""The scheduler: periodic duties become jobs whose keys name their time slot.

Every worker process runs one. A duty returns the jobs due now, each keyed by its slot
(`<connection>:interval:<n>`, `<connection>:daily:<local date>`, `retention:<date>`);
the job store's unique (kind, key) makes a slot's job exist once, whichever worker or
host got there first, and however often they look.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.jobs.store import NewJob, enqueue
from tillsync.store.uow import UnitsOfWork

log = logging.getLogger(__name__)

Duty = Callable[[AsyncSession, dt.datetime], Awaitable[Sequence[NewJob]]]


class Scheduler:
    def __init__(self, uows: UnitsOfWork, duties: Sequence[Duty], *, every: float = 30.0) -> None:
        self.uows = uows
        self.duties = duties
        self.every = every

    async def tick(self) -> int:
        """Enqueue whatever is due now; the number of jobs this tick added."""
        async with self.uows.read() as session:
            now = self.uows.clock.now()
            due = [job for duty in self.duties for job in await duty(session, now)]
        if not due:
            return 0
        added = 0
        async with self.uows.begin() as uow:
            for job in due:
                added += await enqueue(uow.session, job, now=uow.now)
            await uow.commit()
        if added:
            log.info("scheduled jobs", extra={"count": added})
        return added

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.tick()
            except Exception:
                log.exception("the scheduler's tick failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.every)


def interval_slot(now: dt.datetime, minutes: float) -> int:
    """Which interval of `minutes` (counted from the epoch) `now` falls in."""
    return int(now.timestamp() // (minutes * 60))
