"""Writes made together: those waiting for the writer share one transaction.

A small write costs little in itself; its transaction costs much: on SQLite the one
writer is held through every statement's trip to the connection's thread, and each
statement costs the event loop about as much as a request does. A group commit takes
every write waiting when the writer comes free and makes them in one transaction, with
statements that span them. Under load each batch carries the writes that arrived while
the last one was written; alone, a write waits for nobody.

A batch answers each write on its own: a result, a refusal (that write made nothing, the
others went on), or `SKIPPED`: the caller then makes it alone, as without batches (a
repeat of a stored write, a case the batch does not take). A batch that fails as a whole
(a lost race on a unique key, a database error) has made nothing: all its writes are
`SKIPPED`, and each caller's own transaction meets the failure, or not, alone.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Final, Generic, TypeVar

if TYPE_CHECKING:
    from tillsync.store.uow import UnitOfWork, UnitsOfWork

log = logging.getLogger(__name__)
BATCH_LIMIT = 200
"""Writes in one batch at most: a bounded transaction, and a bounded wait behind it."""
LINGER_SECONDS = 0.002
STEADY_SECONDS = 0.005
"""A batch that ended this recently means writes are arriving steadily."""


class Skipped:
    """The batch did not make this write: its caller makes it alone."""


SKIPPED: Final = Skipped()

Item = TypeVar("Item")
Result = TypeVar("Result")
Batch = Callable[["UnitOfWork", Sequence[Item]], Awaitable[list["Result | Exception | Skipped"]]]


class GroupCommit(Generic[Item, Result]):
    def __init__(self, uows: UnitsOfWork, batch: Batch[Item, Result]) -> None:
        self._uows = uows
        self._batch = batch
        self._waiting: list[tuple[Item, asyncio.Future[Result | Skipped]]] = []
        self._draining: asyncio.Task[None] | None = None
        self._expected = 0
        """Writes the next batch may expect: those the last answered, and those that came
        while it ran (see `_linger`)."""
        self._last_end = float("-inf")
        self._gathered: asyncio.Future[None] | None = None

    async def submit(self, item: Item) -> Result | Skipped:
        """The write's result once its batch committed; its refusal raised."""
        future: asyncio.Future[Result | Skipped] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if self._gathered is not None and len(self._waiting) >= self._expected:
            _end(self._gathered)
        if self._draining is None:
            # Its own context: a batch belongs to none of the requests in it.
            self._draining = asyncio.create_task(self._drain(), context=contextvars.Context())
        return await future

    async def _drain(self) -> None:
        try:
            while self._waiting:
                await self._linger()
                await self._commit()
        finally:
            self._draining = None

    async def _linger(self) -> None:
        """While writes arrive steadily, give those in flight a moment to join the batch.

        Under load the callers of the last batch send their next writes as it answers
        them, and so may those that arrived while it ran. Without a pause the first to
        arrive would make a batch alone and the rest the next one, each batch paying the
        transaction's whole cost; callers split in two groups would stay split, each
        group's batch running while the other's callers are answered (measured: a third
        fewer sales a second than one group). The pause ends once as many writes wait as
        are expected, or after `LINGER_SECONDS`.
        """
        loop = asyncio.get_running_loop()
        steady = loop.time() - self._last_end < STEADY_SECONDS
        if not steady or len(self._waiting) >= self._expected:
            return
        self._gathered = gathered = loop.create_future()
        timer = loop.call_later(LINGER_SECONDS, _end, gathered)
        try:
            await gathered
        finally:
            timer.cancel()
            self._gathered = None

    async def _commit(self) -> None:
        taken: list[tuple[Item, asyncio.Future[Result | Skipped]]] = []
        answers: list[Result | Exception | Skipped]
        try:
            async with self._uows.begin() as uow:
                # Taken once the writer is ours: whatever arrived meanwhile joins.
                taken = [pair for pair in self._waiting[:BATCH_LIMIT] if not pair[1].done()]
                del self._waiting[:BATCH_LIMIT]
                if not taken:  # every caller left before its batch began: nothing made
                    return
                answers = await self._batch(uow, [item for item, _ in taken])
                await uow.commit()
        except Exception:
            log.warning(
                "a batch of %d writes failed; each is made alone", len(taken), exc_info=True
            )
            answers = [SKIPPED] * len(taken)
        self._expected = min(BATCH_LIMIT, len(taken) + len(self._waiting))
        self._last_end = asyncio.get_running_loop().time()
        for (_, future), answer in zip(taken, answers, strict=True):
            if future.done():
                continue  # its caller is gone; the write stands
            if isinstance(answer, Exception):
                future.set_exception(answer)
            else:
                future.set_result(answer)


def _end(pause: asyncio.Future[None]) -> None:
    if not pause.done():
        pause.set_result(None)
