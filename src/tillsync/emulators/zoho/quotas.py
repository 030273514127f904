"""The daily call quota: calls counted per organization per UTC day."""

from __future__ import annotations

import datetime as dt


class DailyQuota:
    """Counts accepted calls per key and day; a refused call does not count."""

    def __init__(self) -> None:
        self._used: dict[tuple[str, dt.date], int] = {}

    def spend(self, key: str, *, quota: int, now: dt.datetime) -> bool:
        """Count one call if the day's quota allows it."""
        day = now.astimezone(dt.UTC).date()
        used = self._used.get((key, day), 0)
        if used >= quota:
            return False
        self._used = {k: v for k, v in self._used.items() if k[1] == day}
        self._used[(key, day)] = used + 1
        return True

    def used(self, key: str, *, now: dt.datetime) -> int:
        return self._used.get((key, now.astimezone(dt.UTC).date()), 0)

    @staticmethod
    def seconds_left(now: dt.datetime) -> int:
        """Seconds until the quota starts again (UTC midnight)."""
        utc = now.astimezone(dt.UTC)
        midnight = dt.datetime.combine(utc.date() + dt.timedelta(days=1), dt.time(), dt.UTC)
        return int((midnight - utc).total_seconds())

    def clear(self) -> None:
        self._used.clear()
