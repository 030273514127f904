"""Emulator settings: the behaviours Poster leaves undocumented, each one a GUESS to turn."""

from __future__ import annotations

from dataclasses import dataclass

from tillsync.emulators.settings import EmulatorSettings, check_limits, check_positive

TOKEN_LIFETIME_DAYS = 730.0
"""Poster's access tokens live two years and have no refresh token."""


@dataclass(slots=True)
class Settings(EmulatorSettings):
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

    def validate(self) -> None:
        check_limits(self, ["rate_limit"])
        positive = (
            "rate_window_seconds",
            "token_lifetime_days",
            "code_lifetime_seconds",
            "time_scale",
            "webhook_timeout_seconds",
        )
        check_positive(self, positive)
