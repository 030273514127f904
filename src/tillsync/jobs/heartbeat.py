"""Workers' heartbeats: each running worker refreshes its row, so any process sees who is alive.

A row is written every `every` seconds and removed when its worker stops. A worker that
died leaves its row behind; readiness ignores rows older than its window, and rows older
than a day are deleted by the next beat of any worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.store.tables import WorkerHeartbeat
from tillsync.store.uow import UnitsOfWork

log = logging.getLogger(__name__)
FORGET_AFTER = dt.timedelta(days=1)


class Heartbeat:
    def __init__(self, uows: UnitsOfWork, *, name: str, every: float) -> None:
        self.uows = uows
        self.name = name
        self.every = every

    async def run(self, stop: asyncio.Event) -> None:
        started = self.uows.clock.now()
        while not stop.is_set():
            try:
                await self.beat(started)
            except Exception:
                log.exception(
                    "recording the worker's heartbeat failed", extra={"worker": self.name}
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.every)
        try:
            await self.forget()
        except Exception:
            log.exception("removing the worker's heartbeat failed", extra={"worker": self.name})

    async def beat(self, started: dt.datetime) -> None:
        async with self.uows.begin(urgent=True) as uow:
            seen = await uow.session.execute(
                update(WorkerHeartbeat)
                .where(WorkerHeartbeat.name == self.name)
                .values(seen_at=uow.now)
                .execution_options(synchronize_session=False)
            )
            if not getattr(seen, "rowcount", 0):
                uow.session.add(
                    WorkerHeartbeat(name=self.name, started_at=started, seen_at=uow.now)
                )
            await uow.session.execute(
                delete(WorkerHeartbeat).where(WorkerHeartbeat.seen_at < uow.now - FORGET_AFTER)
            )
            await uow.commit()

    async def forget(self) -> None:
        async with self.uows.begin() as uow:
            await uow.session.execute(
                delete(WorkerHeartbeat).where(WorkerHeartbeat.name == self.name)
            )
            await uow.commit()


async def live_workers(session: AsyncSession, *, now: dt.datetime, within: float) -> int:
    """Workers whose last heartbeat is at most `within` seconds old."""
    since = now - dt.timedelta(seconds=within)
    count = await session.scalar(
        select(func.count()).select_from(WorkerHeartbeat).where(WorkerHeartbeat.seen_at >= since)
    )
    return int(count or 0)
