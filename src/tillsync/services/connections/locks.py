"""One credential change at a time per tenant in this process."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class TenantLocks:
    """Two changes at once would each register webhooks, and the hooks a provider keeps could
    carry the other one's secret. Across processes the last change wins, and a disconnect
    racing a connect is refused (it compares the stored value before clearing it).
    """

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._holders: Counter[str] = Counter()

    @asynccontextmanager
    async def hold(self, tenant_id: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(tenant_id, asyncio.Lock())
        self._holders[tenant_id] += 1
        try:
            async with lock:
                yield
        finally:
            self._holders[tenant_id] -= 1
            if not self._holders[tenant_id]:
                del self._holders[tenant_id], self._locks[tenant_id]
