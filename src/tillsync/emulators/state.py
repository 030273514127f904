"""What every emulator's state holds beside its provider's rules: one clock, settings it can
go back to, faults, a rate limiter, and the logs of the calls it answered and the webhook
deliveries it tried.

A provider's state class builds on `EmulatorState` and adds its application, accounts,
tokens and events; its `reset()` clears those and then calls `super().reset()`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, Generic, Protocol, TypeVar

from tillsync.clock import Clock, SystemClock
from tillsync.emulators.logs import Log, Timed
from tillsync.emulators.ratelimit import RateLimiter
from tillsync.emulators.settings import Adjustable


class Clearable(Protocol):
    def clear(self) -> None: ...


S = TypeVar("S", bound=Adjustable)
F = TypeVar("F", bound=Clearable)
C = TypeVar("C", bound=Timed)
D = TypeVar("D", bound=Timed)


class EmulatorState(Generic[S, F, C, D]):
    """Settings (validated; `reset()` goes back to them), faults, a rate limiter on the
    state's clock, and the call (`C`) and delivery (`D`) logs."""

    def __init__(self, *, clock: Clock | None, settings: S, faults: F) -> None:
        self.clock: Clock = clock or SystemClock()
        settings.validate()
        self._initial_settings = settings
        self.settings = dataclasses.replace(settings)
        self.faults = faults
        self.rate_limiter = RateLimiter(self.clock)
        self.calls: Log[C] = Log()
        self.deliveries: Log[D] = Log()

    def update_settings(self, **changes: Any) -> S:
        self.settings.update(changes)
        return self.settings

    def reset(self) -> None:
        """Back to the first settings, no faults, no counted calls, empty logs."""
        self.settings = dataclasses.replace(self._initial_settings)
        self.faults.clear()
        self.rate_limiter.clear()
        self.calls.clear()
        self.deliveries.clear()

    def record_call(self, record: C) -> None:
        self.calls.append(record)

    def calls_since(self, since: dt.datetime | None = None) -> list[C]:
        return self.calls.since(since)

    def record_delivery(self, record: D) -> None:
        self.deliveries.append(record)

    def deliveries_since(self, since: dt.datetime | None = None) -> list[D]:
        return self.deliveries.since(since)
