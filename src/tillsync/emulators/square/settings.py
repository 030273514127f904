"""Emulator settings: the behaviours the notes are unsure of, token lifetimes, timing knobs."""

from __future__ import annotations

from dataclasses import dataclass

from tillsync.emulators.settings import (
    EmulatorSettings,
    check_limits,
    check_not_negative,
    check_positive,
)

THIRTY_DAYS = 30 * 24 * 3600.0
ONE_DAY = 24 * 3600.0


@dataclass(slots=True)
class Settings(EmulatorSettings):
    """Mutable on purpose: the control surface changes a running emulator.

    `rate_limit` is the calls per `rate_window_seconds` each access token may make (None:
    unlimited, Square publishes no figure); `retry_after_seconds` adds a `Retry-After` to
    the 429 (Square is not known to send one). `time_scale` shrinks the webhook retry
    schedule; `deny_authorization` makes the authorize page answer `access_denied`;
    `authorizing_merchant_id` is the seller who would sign in at the consent screen (the
    emulator has no login page; unset: the first merchant).
    """

    rate_limit: int | None = None
    rate_window_seconds: float = 60.0
    retry_after_seconds: int | None = None
    access_token_lifetime_seconds: float = THIRTY_DAYS
    short_lived_lifetime_seconds: float = ONE_DAY
    code_lifetime_seconds: float = 300.0
    deny_authorization: bool = False
    authorizing_merchant_id: str | None = None
    environment: str = "Sandbox"
    time_scale: float = 1.0
    webhook_timeout_seconds: float = 10.0
    fault_timeout_seconds: float = 30.0

    def validate(self) -> None:
        check_limits(self, ["rate_limit"])
        if self.retry_after_seconds is not None and self.retry_after_seconds < 0:
            raise ValueError("retry_after_seconds must not be negative")
        positive = (
            "rate_window_seconds",
            "access_token_lifetime_seconds",
            "short_lived_lifetime_seconds",
            "code_lifetime_seconds",
            "time_scale",
            "webhook_timeout_seconds",
        )
        check_positive(self, positive)
        check_not_negative(self, ["fault_timeout_seconds"])
        if self.environment not in ("Sandbox", "Production"):
            raise ValueError("environment must be Sandbox or Production")
