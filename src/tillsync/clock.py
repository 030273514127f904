"""Time as a port: the system clock for running code, a settable clock for tests."""

from __future__ import annotations

import datetime as dt
from typing import Protocol


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current time, timezone-aware UTC."""
        ...


def moment_of(text: str) -> dt.datetime | None:
    """An ISO 8601 moment as a provider writes it (`Z` or an offset; none taken as UTC), or
    None when the text is not one."""
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self._now = start or dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)

    def now(self) -> dt.datetime:
        return self._now

    def advance(self, seconds: float) -> dt.datetime:
        self._now += dt.timedelta(seconds=seconds)
        return self._now

    def set(self, moment: dt.datetime) -> None:
        self._now = moment


class ShiftedClock:
    """The system clock, moved ahead by however much a test has skipped."""

    def __init__(self) -> None:
        self._ahead = dt.timedelta()

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self._ahead

    def skip(self, seconds: float) -> None:
        self._ahead += dt.timedelta(seconds=seconds)
