"""The unit of work: one transaction, the events it produces, and what runs after commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from contextvars import ContextVar
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.clock import Clock
from tillsync.store.database import Database
from tillsync.store.group_commit import Batch, GroupCommit
from tillsync.store.sqlite import READ_ONLY
from tillsync.store.tables import Base, Event
from tillsync.store.write_turns import WriteTurns

_writing: ContextVar[bool] = ContextVar("tillsync_unit_of_work_open", default=False)
INSERT_BATCH = 1000
Item = TypeVar("Item")
Result = TypeVar("Result")


class UnitOfWork:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self.session = session
        self.clock = clock
        self.now: dt.datetime = clock.now()
        self._after_commit: list[Callable[[], None]] = []
        self._appended: dict[type[Base], list[dict[str, Any]]] = {}
        self.emitted: list[dict[str, Any]] = []
        """The events of this transaction, for whoever follows commits in this process."""

    def emit(self, *, tenant_id: str, type: str, data: dict[str, Any]) -> None:
        """Add a live-stream event; it becomes visible with the transaction."""
        event = {"tenant_id": tenant_id, "type": type, "data": data, "created_at": self.now}
        self.append(Event, event)
        self.emitted.append(event)

    def append(self, model: type[Base], row: dict[str, Any]) -> None:
        """A row only ever added (an event, an audit entry): inserted with the others at commit.

        Such rows are never read back or changed in their own transaction, so they skip the
        session's bookkeeping and go in as one multi-row insert per table, in the order given.
        """
        self._appended.setdefault(model, []).append(row)

    async def _write_appended(self) -> None:
        appended, self._appended = self._appended, {}
        for model, rows in appended.items():
            for start in range(0, len(rows), INSERT_BATCH):
                # The table, not the class: plain rows need none of the ORM's bulk path.
                table: Any = model.__table__
                await self.session.execute(insert(table), rows[start : start + INSERT_BATCH])

    def after_commit(self, callback: Callable[[], None]) -> None:
        self._after_commit.append(callback)

    async def commit(self) -> None:
        await self._write_appended()
        await self.session.commit()
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            callback()
        self.emitted = []


def _follow(follower: Callable[[list[dict[str, Any]]], None], uow: UnitOfWork) -> None:
    if uow.emitted:
        follower(uow.emitted)


class UnitsOfWork:
    """Opens units of work on one database with one clock; signals after each commit."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock
        self._listeners: list[Callable[[], None]] = []
        self._followers: list[Callable[[list[dict[str, Any]]], None]] = []
        # SQLite has one writer at a time. Queueing this process's writers here is fair and
        # costs nothing; left to SQLite's busy handler they would sleep and poll instead.
        self._writer = WriteTurns() if database.is_sqlite else None
        self._groups: dict[object, GroupCommit[Any, Any]] = {}

    def on_commit(self, listener: Callable[[], None]) -> None:
        """Called after every commit in this process (wakes the worker and the event feed)."""
        self._listeners.append(listener)

    def on_events(self, follower: Callable[[list[dict[str, Any]]], None]) -> None:
        """Given the events of every commit in this process that emitted any, once committed."""
        self._followers.append(follower)

    @asynccontextmanager
    async def begin(self, *, urgent: bool = False) -> AsyncIterator[UnitOfWork]:
        """A write transaction. Leaving without `commit()` rolls it back.

        `urgent`: a small write that must not wait behind this process's other writers
        (a lease renewal, a heartbeat); on SQLite it takes the next turn.
        """
        if _writing.get():
            raise RuntimeError("a unit of work is already open in this task")
        token = _writing.set(True)
        try:
            async with self._write_turn(urgent), self.database.sessions() as session:
                uow = UnitOfWork(session, self.clock)
                for listener in self._listeners:
                    uow.after_commit(listener)
                for follower in self._followers:
                    uow.after_commit(partial(_follow, follower, uow))
                yield uow  # closing the session rolls back whatever was not committed
        finally:
            _writing.reset(token)

    def _write_turn(self, urgent: bool) -> AbstractAsyncContextManager[object]:
        return self._writer.turn(urgent=urgent) if self._writer is not None else nullcontext()

    def together(self, batch: Batch[Item, Result]) -> GroupCommit[Item, Result]:
        """This process's group commit of the writes `batch` makes (see `group_commit`)."""
        group = self._groups.get(batch)
        if group is None:
            group = self._groups[batch] = GroupCommit(self, batch)
        return group

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A read-only transaction (on SQLite it does not take the write lock)."""
        async with self.database.sessions() as session:
            await session.connection(execution_options={READ_ONLY: True})
            yield session
