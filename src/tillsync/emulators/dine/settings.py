"""The Dine emulator's settings: its rate limit and the waits it asks for."""

from __future__ import annotations

from dataclasses import dataclass

from tillsync.emulators.settings import (
    EmulatorSettings,
    check_limits,
    check_not_negative,
    check_positive,
)


@dataclass(slots=True)
class Settings(EmulatorSettings):
    """Mutable on purpose: the control surface changes a running emulator.

    `rate_limit` calls per `rate_window_seconds` per API key (None: unlimited); a 429 from
    the limit says in `Retry-After` when the oldest call leaves the window. A 429 made by a
    fault carries `fault_retry_after_seconds` instead.
    """

    rate_limit: int | None = 60
    rate_window_seconds: float = 60.0
    fault_retry_after_seconds: int = 1
    max_per_page: int = 100

    def validate(self) -> None:
        check_limits(self, ["rate_limit"])
        check_positive(self, ["rate_window_seconds"])
        check_not_negative(self, ["fault_retry_after_seconds"])
        if self.max_per_page < 1:
            raise ValueError("max_per_page must be at least 1")
