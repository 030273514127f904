"""The live feed: one poller per process reads new events and fans them out to subscribers.

Events are rows written in the same transaction as the change they describe, so the
stream sees exactly what committed, from any process. PostgreSQL hands out ids before
commit, so a lower id can appear after a higher one: ids skipped over are watched for a
few seconds before they are given up as rolled back.

While nobody listens the poller sleeps: a process serving no stream reads nothing. The
first subscriber moves the cursor to the end before it is registered, so it hears what
commits from then on, as if the poller had kept up all along.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, or_, select

from tillsync.store.tables import Event
from tillsync.store.uow import UnitsOfWork

log = logging.getLogger(__name__)
GAP_SECONDS = 5.0
BATCH = 500
QUEUE_SIZE = 1000


@dataclass(frozen=True, slots=True)
class FeedEvent:
    id: int
    tenant_id: str
    type: str
    data: dict[str, Any]


def _event(row: Event) -> FeedEvent:
    return FeedEvent(id=row.id, tenant_id=row.tenant_id, type=row.type, data=row.data)


class EventFeed:
    def __init__(self, uows: UnitsOfWork, *, poll_seconds: float = 0.2) -> None:
        self.uows = uows
        self.poll_seconds = poll_seconds
        self._subscribers: dict[str, set[asyncio.Queue[FeedEvent | None]]] = defaultdict(set)
        self._wake = asyncio.Event()
        self._listened = asyncio.Event()
        self._cursor = 0
        self._gaps: dict[int, float] = {}
        self._closed = False

    def wake(self) -> None:
        self._wake.set()

    def close(self) -> None:
        """End every live stream now, and any opened from now on (the hub is stopping)."""
        self._closed = True
        for queues in self._subscribers.values():
            for queue in queues:
                while not queue.empty():
                    queue.get_nowait()
                queue.put_nowait(None)

    async def run(self, stop: asyncio.Event) -> None:
        await self._catch_up()
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            if not self._listening():
                await self._until_listened(stop)
                continue
            try:
                await self._poll(loop.time())
            except Exception:
                log.exception("reading the event feed failed")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll_seconds):
                    await self._wake.wait()
        self.close()

    def _listening(self) -> bool:
        return any(self._subscribers.values())

    async def _until_listened(self, stop: asyncio.Event) -> None:
        self._listened.clear()
        waits = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._listened.wait())]
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()

    async def _catch_up(self) -> None:
        """Move the cursor to the end, as a poller that had kept up would have it."""
        async with self.uows.read() as session:
            end = await session.scalar(select(func.max(Event.id))) or 0
        self._cursor = max(self._cursor, end)
        self._gaps.clear()

    async def _poll(self, now: float) -> None:
        self._gaps = {i: seen for i, seen in self._gaps.items() if now - seen < GAP_SECONDS}
        condition = Event.id > self._cursor
        if self._gaps:
            condition = or_(condition, Event.id.in_(list(self._gaps)))
        async with self.uows.read() as session:
            rows = (
                await session.scalars(
                    select(Event).where(condition).order_by(Event.id).limit(BATCH)
                )
            ).all()
        for row in rows:
            self._gaps.pop(row.id, None)
            for missing in range(self._cursor + 1, row.id):
                self._gaps.setdefault(missing, now)
            self._cursor = max(self._cursor, row.id)
            self._publish(_event(row))

    def _publish(self, event: FeedEvent) -> None:
        for queue in list(self._subscribers.get(event.tenant_id, ())):
            if queue.full():  # a stalled client: end its stream; it resumes by Last-Event-ID
                self._subscribers[event.tenant_id].discard(queue)
                while not queue.empty():
                    queue.get_nowait()
                queue.put_nowait(None)
                continue
            queue.put_nowait(event)

    async def subscribe(self, tenant_id: str, *, after: int | None) -> AsyncIterator[FeedEvent]:
        """Live events of one tenant; with `after`, the stored ones since that id first."""
        queue: asyncio.Queue[FeedEvent | None] = asyncio.Queue(QUEUE_SIZE)
        if not self._listening():
            await self._catch_up()
        if self._closed:  # checked after the last wait: a close meanwhile ends this one too
            return
        self._subscribers[tenant_id].add(queue)
        self._listened.set()
        last = after or 0
        try:
            if after is not None:
                async with self.uows.read() as session:
                    stored = await session.scalars(
                        select(Event)
                        .where(Event.tenant_id == tenant_id, Event.id > after)
                        .order_by(Event.id)
                        .limit(BATCH)
                    )
                    backlog = [_event(row) for row in stored]
                for event in backlog:
                    last = event.id
                    yield event
            while (live := await queue.get()) is not None:
                if live.id > last:
                    yield live
        finally:
            self._subscribers[tenant_id].discard(queue)

    async def last_id(self, tenant_id: str) -> int:
        """The tenant's newest event: a page read after this follows the stream from here."""
        async with self.uows.read() as session:
            found = await session.scalar(
                select(func.max(Event.id)).where(Event.tenant_id == tenant_id)
            )
        return int(found or 0)

    async def prune(self, *, older_than: dt.datetime) -> None:
        async with self.uows.begin() as uow:
            await uow.session.execute(delete(Event).where(Event.created_at < older_than))
            await uow.commit()
