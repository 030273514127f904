"""The process's read model of stock: loaded at start, kept current from committed events.

A stock check asks "is it in stock?" each time a product is scanned; it is answered from
`StockMemory` (domain/stock_memory.py) instead of the database. What keeps the memory
current is what the live stream reads: every change to a stock row commits a
`stock.changed` event with it (`Ledger.settle`), from any process. One refresher per
process reads the events after its cursor, then reads those rows afresh (with their
active reservations) and puts them in the memory. Rows are read, not taken from the
event, so a round never goes back in time: rounds run one after another, each reading
what committed before it began.

- Commits in this process mark their rows (`dirty`) without starting a round: a sale
  costs no read of the memory's. A check of a marked row wakes the refresher and waits
  for its round (within the bound, else reads the database), so a POS sees its own sale
  at once. The catalog reads marked rows from the database, waking the refresher for the
  next page. The next poll clears them.
- Commits in other processes are read within `poll_seconds`; `as_of` is when the last
  complete round began (everything committed before it is in the memory). A memory older
  than `bound_seconds` (a stalled database, a stopped refresher) is not used: checks go
  to the database until a round succeeds again. So an answer is never staler than the
  bound, and it says how fresh it is.
- PostgreSQL hands out event ids before commit: ids skipped over are watched for a few
  seconds (as the live feed does) before they are given up as rolled back.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import gc
import logging
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.domain.stock_memory import NO_STOCK, Hold, Known, Row, Shown, StockMemory
from tillsync.services.stock_reads import Decoded, active_holds, stock_rows
from tillsync.store.database import chunks
from tillsync.store.tables import Event, StockLevel
from tillsync.store.uow import UnitsOfWork

log = logging.getLogger(__name__)
STOCK_CHANGED = "stock.changed"
GAP_SECONDS = 5.0
BATCH = 2000
LOOKBACK = dt.timedelta(minutes=5)
"""At start, events this much older than the load are read again: a transaction still
open while the memory loaded may commit an event numbered below the newest one seen."""
ROUNDS_WAITED = 2
"""A round begun before a commit does not clear its row: the next one does."""
FREEZE_FROM = 50_000
"""A memory of this many rows or more is moved out of the collector's sight once loaded:
a full collection would otherwise walk every entry (tens of milliseconds per 100,000)."""
Key = tuple[str, str, str]
"""Tenant, SKU, location."""


@dataclass(frozen=True, slots=True)
class Loaded:
    rows: int
    seconds: float


class StockModel:
    def __init__(
        self, uows: UnitsOfWork, *, poll_seconds: float = 0.25, bound_seconds: float = 1.0
    ) -> None:
        self.uows = uows
        self.poll_seconds = poll_seconds
        self.bound = dt.timedelta(seconds=bound_seconds)
        self.memory = StockMemory()
        self._decoded = Decoded()
        self.as_of: dt.datetime | None = None
        self._cursor = 0
        self._gaps: dict[int, float] = {}
        self._dirty: dict[Key, int] = {}
        self._commits = 0
        self._wake = asyncio.Event()
        self._round = asyncio.Event()
        """Set when a complete round ends (then replaced): what waiting checks wait for."""

    def lookup(self, tenant_id: str, sku: str, location: str, *, now: dt.datetime) -> Known | None:
        """The answer from memory, or None when the database must answer (see the module)."""
        as_of = self._fresh(now)
        if as_of is None or (tenant_id, sku, location) in self._dirty:
            return None
        item = self.memory.item(tenant_id, sku)
        if item is None:  # a product the warehouse listed without stock; or no such SKU
            return None
        row = item.row(location)
        figures = row.figures(now) if row is not None else NO_STOCK
        return Known(item.whole_units, figures, as_of)

    def shown(self, tenant_id: str, skus: Iterable[str], *, now: dt.datetime) -> Shown | None:
        """The products of these the memory answers for, as `lookup` would; None when stale.

        A product with a row this process just changed, or one the memory has not heard of,
        is left out: the database answers for it.
        """
        as_of = self._fresh(now)
        if as_of is None:
            return None
        dirty = {sku for tenant, sku, _ in self._dirty if tenant == tenant_id}
        if dirty:  # read from the database this time; from memory once a round has run
            self._wake.set()
        items = {sku: self.memory.item(tenant_id, sku) for sku in skus if sku not in dirty}
        return Shown({sku: item for sku, item in items.items() if item is not None}, as_of)

    def _fresh(self, now: dt.datetime) -> dt.datetime | None:
        """When the last round began, if the memory is loaded and no older than the bound."""
        return self.as_of if self.as_of is not None and now - self.as_of <= self.bound else None

    async def answer(
        self, tenant_id: str, sku: str, location: str, *, now: dt.datetime
    ) -> Known | None:
        """`lookup`, but a stale memory or a row this process just changed waits for the
        refresher's next rounds (within the bound) before the database is asked.

        One round answers every check waiting on it; were each to read the database, a burst
        of them would queue the refresher's own read behind theirs, keeping the memory stale.
        """
        known = self.lookup(tenant_id, sku, location, now=now)
        waiting = self.as_of is not None and self.memory.item(tenant_id, sku) is not None
        if known is not None or not waiting:
            return known
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.bound.total_seconds()):
                for _ in range(ROUNDS_WAITED):
                    self._wake.set()
                    await self._round.wait()
                    now = self.uows.clock.now()
                    if (known := self.lookup(tenant_id, sku, location, now=now)) is not None:
                        return known
        return None

    def learned(self, tenant_id: str, sku: str, *, whole_units: bool) -> None:
        """A product the database knew and the memory did not (listed without stock rows)."""
        self.memory.add_product(tenant_id, sku, whole_units=whole_units)

    def committed(self, events: list[dict[str, Any]]) -> None:
        """After a commit in this process: its rows are dirty until the refresher reads them.
        Not woken here (a round per commit cost a sixth of a sale): see the module."""
        self._commits += 1
        for event in events:
            if event["type"] == STOCK_CHANGED:
                data = event["data"]
                self._dirty[(event["tenant_id"], data["sku"], data["location"])] = self._commits

    async def load(self) -> Loaded:
        """Every stock row with its product's unit rule, and the cursor to follow events from.

        Products without any row are not loaded: the first check of one reads the database
        and the model learns it (`learned`).
        """
        started = time.perf_counter()
        loaded_at = self.uows.clock.now()
        self.memory, count = StockMemory(), 0
        async with self.uows.read() as session:
            self._cursor = int(
                await session.scalar(
                    select(func.max(Event.id)).where(Event.created_at < loaded_at - LOOKBACK)
                )
                or 0
            )
            holds = await active_holds(session, None)
            rows = await session.stream(stock_rows().execution_options(yield_per=BATCH))
            async for found in rows:
                self._put(found, holds)
                count += 1
        self.as_of = loaded_at
        return Loaded(rows=count, seconds=time.perf_counter() - started)

    async def run(self, stop: asyncio.Event) -> None:
        """Load, then follow commits; until loaded, checks are answered from the database."""
        while self.as_of is None and not stop.is_set():
            try:
                loaded = await self.load()
                if loaded.rows >= FREEZE_FROM:
                    gc.freeze()
                log.info(
                    "stock read model loaded",
                    extra={"rows": loaded.rows, "seconds": round(loaded.seconds, 3)},
                )
            except Exception:
                log.exception("loading the stock read model failed")
                await self._pause(stop)
        while not stop.is_set():
            more = False
            try:
                more = await self.refresh()
            except Exception:
                log.exception("refreshing the stock read model failed")
            if not more:
                await self._pause(stop)

    async def _pause(self, stop: asyncio.Event) -> None:
        """Until woken by a commit, or `poll_seconds`, or `stop`."""
        self._wake.clear()
        waits = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())]
        try:
            await asyncio.wait(
                waits, timeout=self.poll_seconds, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            for wait in waits:
                wait.cancel()

    async def refresh(self) -> bool:
        """One round; True when events are left to read (the memory is not yet current)."""
        began = self.uows.clock.now()
        commits = self._commits
        wanted: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for tenant_id, sku, location in self._dirty:
            wanted[tenant_id].add((sku, location))
        cursor, gaps = self._cursor, dict(self._gaps)
        try:
            async with self.uows.read() as session:
                keys, more = await self._events(session, time.monotonic())
                for tenant_id, sku, location in keys:
                    wanted[tenant_id].add((sku, location))
                for tenant_id, rows in wanted.items():
                    found = await self._reread(session, tenant_id, rows)
                    for sku, location in rows - found:
                        self.memory.remove(tenant_id, sku, location)
        except BaseException:  # the events read are read again next round
            self._cursor, self._gaps = cursor, gaps
            raise
        self._dirty = {key: seen for key, seen in self._dirty.items() if seen > commits}
        if not more:
            self.as_of = began
            self._round.set()
            self._round = asyncio.Event()
        return more

    async def _events(self, session: AsyncSession, now: float) -> tuple[list[Key], bool]:
        """The rows named by events after the cursor; whether more events wait beyond."""
        self._gaps = {i: seen for i, seen in self._gaps.items() if now - seen < GAP_SECONDS}
        condition = Event.id > self._cursor
        if self._gaps:
            condition = or_(condition, Event.id.in_(list(self._gaps)))
        found = (
            await session.execute(
                select(Event.id, Event.tenant_id, Event.type, Event.data)
                .where(condition)
                .order_by(Event.id)
                .limit(BATCH)
            )
        ).all()
        keys: list[Key] = []
        for id_, tenant_id, type_, data in found:
            self._gaps.pop(id_, None)
            for missing in range(self._cursor + 1, id_):
                self._gaps.setdefault(missing, now)
            self._cursor = max(self._cursor, id_)
            if type_ == STOCK_CHANGED:
                keys.append((tenant_id, data["sku"], data["location"]))
        return keys, len(found) >= BATCH

    async def _reread(
        self, session: AsyncSession, tenant_id: str, keys: set[tuple[str, str]]
    ) -> set[tuple[str, str]]:
        """Put these rows in the memory as committed; the keys found."""
        found: set[tuple[str, str]] = set()
        locations = sorted({location for _, location in keys})
        for skus in chunks(sorted({sku for sku, _ in keys})):
            rows = (
                await session.execute(
                    stock_rows().where(
                        StockLevel.tenant_id == tenant_id,
                        StockLevel.sku.in_(skus),
                        StockLevel.location.in_(locations),
                    )
                )
            ).all()
            holds = await active_holds(session, [row.id for row in rows])
            for row in rows:
                self._put(row, holds)
                found.add((row.sku, row.location))
        return found

    def _put(self, found: Any, holds: dict[str, list[Hold]]) -> None:
        id_, tenant_id, sku, location, available, pending, reserved, as_of, whole = found
        figure = self._decoded.figure
        row = Row(
            location,
            figure(available),
            figure(pending),
            figure(reserved),
            self._decoded.moment(as_of),
            tuple(holds.get(id_, ())),
        )
        self.memory.put(tenant_id, sku, row, whole_units=whole)
