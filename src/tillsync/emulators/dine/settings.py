"""The Dine emulator's settings: its rate limit and the waits it asks for."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tillsync.emulators.settings import apply_changes


@dataclass(slots=True)
class Settings:
    """Mutable on purpose: the control surface changes a running emulator.

    `rate_limit` calls per `rate_window_seconds` per API key (None: unlimited); a 429 from
    the limit says in `Retry-After` when the oldest call leaves the window. A 429 made by a
    fault carries `fault_retry_after_seconds` instead.
    """

    rate_limit: int | None = 60
    rate_window_seconds: float = 60.0
    fault_retry_after_seconds: int = 1
    max_per_page: int = 100

    def update(self, changes: Mapping[str, Any]) -> None:
        apply_changes(self, changes)

    def validate(self) -> None:
        if self.rate_limit is not None and self.rate_limit < 1:
            raise ValueError("rate_limit must be at least 1, or null to disable")
        if self.rate_window_seconds <= 0:
            raise ValueError("rate_window_seconds must be positive")
        if self.fault_retry_after_seconds < 0:
            raise ValueError("fault_retry_after_seconds must not be negative")
        if self.max_per_page < 1:
            raise ValueError("max_per_page must be at least 1")

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)
