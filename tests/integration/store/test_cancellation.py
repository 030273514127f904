"""A unit of work cancelled half way (shutdown, a lost lease) leaves the database writable."""

import asyncio

from sqlalchemy import func, select

from tillsync.bootstrap import Hub
from tillsync.clock import SystemClock
from tillsync.store.database import create_database
from tillsync.store.tables import Job
from tillsync.store.uow import UnitsOfWork

ATTEMPTS = 60
"""Cancellations at as many moments of the transaction: one of them lands mid-statement."""


async def test_a_cancelled_transaction_does_not_keep_the_write_lock(hub: Hub) -> None:
    uows = hub.services.uows

    async def busy_writer() -> None:
        async with uows.begin() as uow:
            for _ in range(200):
                await uow.session.scalar(select(func.count()).select_from(Job))
            await uow.commit()

    other = create_database(hub.settings.resolved_database_url)  # as another process would
    try:
        for attempt in range(ATTEMPTS):
            task = asyncio.create_task(busy_writer())
            await asyncio.sleep(0.0003 * attempt)
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            async with asyncio.timeout(5):  # a held lock would make this wait 30 s, then fail
                async with UnitsOfWork(other, SystemClock()).begin() as uow:
                    await uow.session.scalar(select(func.count()).select_from(Job))
                    await uow.commit()
    finally:
        await other.dispose()
