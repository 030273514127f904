"""The inventory-check log, written in batches off the request path.

A stock check only reads; its log line is kept in memory and written with others a moment
later, so checks never queue behind sales for SQLite's single writer. A crash can lose
the last tenth of a second of check log lines, never a sale.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from tillsync.store.tables import InventoryCheck
from tillsync.store.uow import UnitsOfWork

log = logging.getLogger(__name__)
FLUSH_SECONDS = 0.1
"""Short, so each write is small: its rows' parameters are prepared on the event loop in
one go, and at 1,500 checks a second a half-second's worth held every request for several
milliseconds (the checks' p99 at half load was 11 to 12 ms with 0.5 s, 5 ms with 0.1 s)."""
MAX_BUFFERED = 10_000


@dataclass(frozen=True, slots=True)
class Checked:
    """One check's log line; a plain value, as cheap to keep as a check is to answer."""

    tenant_id: str
    sku: str
    location: str
    quantity: Decimal
    available: bool
    current_stock: Decimal
    checked_at: dt.datetime


class CheckLog:
    def __init__(self, uows: UnitsOfWork, *, counted: Callable[[bool], None] | None = None) -> None:
        """`counted` is told of each check: whether the quantity was available."""
        self.uows = uows
        self._counted = counted or (lambda available: None)
        self._buffer: list[Checked] = []

    def record(self, check: Checked) -> None:
        self._counted(check.available)
        if len(self._buffer) < MAX_BUFFERED:  # a stalled database must not eat the memory
            self._buffer.append(check)

    async def flush(self) -> int:
        batch, self._buffer = self._buffer, []
        if batch:
            async with self.uows.begin() as uow:
                for check in batch:
                    uow.append(
                        InventoryCheck,
                        {
                            "tenant_id": check.tenant_id,
                            "sku": check.sku,
                            "location": check.location,
                            "quantity": check.quantity,
                            "available": check.available,
                            "current_stock": check.current_stock,
                            "checked_at": check.checked_at,
                        },
                    )
                await uow.commit()
        return len(batch)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), FLUSH_SECONDS)
            try:
                await self.flush()
            except Exception:
                log.exception("writing the inventory-check log failed")
