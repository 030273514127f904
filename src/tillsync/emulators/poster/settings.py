"""Emulator settings: the behaviours Poster leaves undocumented, each one a GUESS to turn."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tillsync.emulators.settings import apply_changes

TOKEN_LIFETIME_DAYS = 730.0
"""Poster's access tokens live two years and have no refresh token."""


@dataclass(slots=True)
class Settings:
    """Mutable on purpose: the control surface changes a running emulator.

    `rate_limit` calls per `rate_window_seconds` per account, then error 700 "Rate
    restriction" (Poster documents no limit: off by default, about 5 a second when on).
    `time_scale` shrinks the webhook retry schedule (15 retries over two days).
    `resign_retries`: each try of a hook carries its own `time` and `verify` (the docs say
    `time` is when the hook is sent); off, every try repeats the first one's bytes.
    """

    rate_limit: int | None = None
    rate_window_seconds: float = 1.0
    token_lifetime_days: float = TOKEN_LIFETIME_DAYS
    code_lifetime_seconds: float = 600.0
    deny_authorization: bool = False
    time_scale: float = 1.0
    webhook_timeout_seconds: float = 5.0
    resign_retries: bool = True

    def update(self, changes: Mapping[str, Any]) -> None:
        """Apply several settings at once, all or nothing."""
        apply_changes(self, changes)

    def validate(self) -> None:
        if self.rate_limit is not None and self.rate_limit < 1:
            raise ValueError("rate_limit must be at least 1, or null to disable")
        positive = (
            "rate_window_seconds",
            "token_lifetime_days",
            "code_lifetime_seconds",
            "time_scale",
            "webhook_timeout_seconds",
        )
        for name in positive:
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)
