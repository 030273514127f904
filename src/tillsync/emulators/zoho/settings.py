"""Emulator settings: Zoho's limits, token lifetimes, the behaviours the notes leave open."""

from __future__ import annotations

from dataclasses import dataclass

from tillsync.emulators.settings import EmulatorSettings, check_limits, check_positive

PLAN_QUOTAS = {"free": 1000, "standard": 2500, "professional": 5000, "premium": 10000}
"""Calls per organization per day. Free is agreed; the others conflict in the notes
(Standard 2000 or 2500, Premium 10000 or 75000) and Professional is a GUESS."""
PAYLOADS = ("keyed", "flat")


@dataclass(slots=True)
class Settings(EmulatorSettings):
    """Mutable on purpose: the control surface changes a running emulator.

    `rate_limit` calls per `rate_window_seconds` per organization (Zoho: 100 a minute);
    `daily_quota` overrides the quota of each organization's plan (`plan` is the default
    plan of new organizations). The token throttle allows `refresh_limit` access tokens
    per refresh token per `refresh_window_seconds`. `time_scale` shrinks the workflow
    webhook retry schedule. `webhook_payload` is `keyed` (`{"item": {...}}`) or `flat`.
    """

    rate_limit: int | None = 100
    rate_window_seconds: float = 60.0
    plan: str = "premium"
    daily_quota: int | None = None
    access_token_lifetime_seconds: float = 3600.0
    code_lifetime_seconds: float = 120.0
    refresh_limit: int | None = 10
    refresh_window_seconds: float = 600.0
    deny_authorization: bool = False
    location: str = "us"
    time_scale: float = 1.0
    webhook_timeout_seconds: float = 10.0
    webhook_payload: str = "keyed"

    def validate(self) -> None:
        check_limits(self, ["rate_limit", "daily_quota", "refresh_limit"])
        positive = (
            "rate_window_seconds",
            "access_token_lifetime_seconds",
            "code_lifetime_seconds",
            "refresh_window_seconds",
            "time_scale",
            "webhook_timeout_seconds",
        )
        check_positive(self, positive)
        if self.plan not in PLAN_QUOTAS:
            raise ValueError(f"plan must be one of {', '.join(PLAN_QUOTAS)}")
        if self.webhook_payload not in PAYLOADS:
            raise ValueError(f"webhook_payload must be one of {', '.join(PAYLOADS)}")

    def quota_of(self, plan: str) -> int:
        return self.daily_quota if self.daily_quota is not None else PLAN_QUOTAS[plan]
