"""A rolling window of accepted calls per key, for emulators whose provider throttles."""

from __future__ import annotations

import datetime as dt
from collections import deque

from tillsync.clock import Clock


class RateLimiter:
    """Counts accepted calls per key; a refused call does not use up the budget."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._calls: dict[str, deque[dt.datetime]] = {}

    def allow(self, key: str, *, limit: int | None, window_seconds: float) -> bool:
        if limit is None:
            return True
        now = self._clock.now()
        start = now - dt.timedelta(seconds=window_seconds)
        calls = self._calls.setdefault(key, deque())
        while calls and calls[0] <= start:
            calls.popleft()
        if len(calls) >= limit:
            return False
        calls.append(now)
        return True

    def wait(self, key: str, *, window_seconds: float) -> float:
        """Seconds until the oldest counted call of `key` leaves the window (0: none counted)."""
        calls = self._calls.get(key)
        if not calls:
            return 0.0
        leaves = calls[0] + dt.timedelta(seconds=window_seconds)
        return max((leaves - self._clock.now()).total_seconds(), 0.0)

    def clear(self) -> None:
        self._calls.clear()
