"""The unit of work: one transaction, the events it produces, and what runs after commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.clock import Clock
from tillsync.store.database import READ_ONLY, Database
from tillsync.store.tables import Event


class UnitOfWork:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self.session = session
        self.clock = clock
        self.now: dt.datetime = clock.now()
        self._after_commit: list[Callable[[], None]] = []

    def emit(self, *, tenant_id: str, type: str, data: dict[str, Any]) -> None:
        """Add a live-stream event; it becomes visible with the transaction."""
        self.session.add(Event(tenant_id=tenant_id, type=type, data=data, created_at=self.now))

    def after_commit(self, callback: Callable[[], None]) -> None:
        self._after_commit.append(callback)

    async def commit(self) -> None:
        await self.session.commit()
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            callback()


class UnitsOfWork:
    """Opens units of work on one database with one clock; signals after each commit."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock
        self._listeners: list[Callable[[], None]] = []

    def on_commit(self, listener: Callable[[], None]) -> None:
        """Called after every commit in this process (wakes the worker and the event feed)."""
        self._listeners.append(listener)

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[UnitOfWork]:
        """A write transaction. Leaving without `commit()` rolls it back."""
        async with self.database.sessions() as session:
            uow = UnitOfWork(session, self.clock)
            for listener in self._listeners:
                uow.after_commit(listener)
            yield uow  # closing the session rolls back whatever was not committed

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A read-only transaction (on SQLite it does not take the write lock)."""
        async with self.database.sessions() as session:
            await session.connection(execution_options={READ_ONLY: True})
            yield session
