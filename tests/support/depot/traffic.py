"""What happens to calls before Depot's rules see them: the rate limit, injected faults,
and the log of every call (for assertions on budget use)."""

from __future__ import annotations

import datetime as dt
import math
from collections import deque
from collections.abc import Mapping

from tests.support.depot.records import CallRecord, Failure, LostAnswer
from tillsync.clock import Clock

LOG_SIZE = 10_000


class Traffic:
    def __init__(self, clock: Clock, *, rate_calls: int, rate_window: float) -> None:
        self.clock = clock
        self.rate_calls = rate_calls
        self.rate_window = rate_window
        self.calls: deque[CallRecord] = deque(maxlen=LOG_SIZE)
        self.failures: list[Failure] = []
        self.lost_answers: deque[LostAnswer] = deque()
        """The next `POST /sales` are made, then answered so: a dropped connection or 502."""
        self._recent: dict[str, deque[dt.datetime]] = {}

    def admit(self, account_id: str) -> float | None:
        """None when the account may call now, else the seconds until it may (429)."""
        now = self.clock.now()
        calls = self._recent.setdefault(account_id, deque())
        while calls and (now - calls[0]).total_seconds() >= self.rate_window:
            calls.popleft()
        if len(calls) >= self.rate_calls:
            return self.rate_window - (now - calls[0]).total_seconds()
        calls.append(now)
        return None

    def retry_after(self, wait: float) -> str:
        return str(max(1, math.ceil(wait)))

    def fail_next(
        self,
        path: str,
        *,
        times: int = 1,
        status: int = 500,
        method: str | None = None,
        query: dict[str, str] | None = None,
    ) -> None:
        failure = Failure(path=path, times=times, status=status, method=method, query=query)
        self.failures.append(failure)

    def lose_next_sale(self, mode: LostAnswer = "drop", *, times: int = 1) -> None:
        self.lost_answers.extend([mode] * times)

    def take_failure(
        self, method: str, path: str, query: Mapping[str, str] | None = None
    ) -> int | None:
        for failure in self.failures:
            wanted = (failure.query or {}).items()
            if (
                failure.path == path
                and failure.method in (None, method)
                and all((query or {}).get(name) == value for name, value in wanted)
            ):
                failure.times -= 1
                if failure.times <= 0:
                    self.failures.remove(failure)
                return failure.status
        return None

    def record(
        self, method: str, path: str, status: int, account_id: str | None, query: str = ""
    ) -> None:
        self.calls.append(CallRecord(self.clock.now(), method, path, status, account_id, query))

    def calls_of(self, method: str, path: str) -> list[CallRecord]:
        return [c for c in self.calls if c.method == method and c.path == path]

    def clear(self) -> None:
        self.calls.clear()
        self.failures.clear()
        self.lost_answers.clear()
        self._recent.clear()
