"""Emulator settings: the provider behaviours the notes disagree on, and the timing knobs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from tillsync.emulators.settings import (
    EmulatorSettings,
    apply_changes,
    check_limits,
    check_not_negative,
    check_positive,
)

ThrottleStyle = Literal["503", "429", "400"]
THROTTLE_STYLES: tuple[ThrottleStyle, ...] = ("503", "429", "400")


@dataclass(slots=True)
class Settings(EmulatorSettings):
    """Mutable on purpose: the control surface changes a running emulator."""

    rate_limit: int | None = 60
    rate_window_seconds: float = 60.0
    throttle_style: ThrottleStyle = "503"
    unknown_path_status: int = 200
    time_scale: float = 1.0
    webhook_delay_seconds: float = 0.0
    webhook_timeout_seconds: float = 10.0
    fault_timeout_seconds: float = 30.0

    def update(self, changes: Mapping[str, Any]) -> None:
        """Apply several settings at once, all or nothing."""
        if isinstance(changes.get("throttle_style"), int):
            changes = {**changes, "throttle_style": str(changes["throttle_style"])}
        apply_changes(self, changes)

    def validate(self) -> None:
        check_limits(self, ["rate_limit"])
        if self.throttle_style not in THROTTLE_STYLES:
            raise ValueError(f"throttle_style must be one of {', '.join(THROTTLE_STYLES)}")
        if not 100 <= self.unknown_path_status <= 599:
            raise ValueError("unknown_path_status must be an HTTP status")
        check_positive(self, ["rate_window_seconds", "time_scale", "webhook_timeout_seconds"])
        check_not_negative(self, ["webhook_delay_seconds", "fault_timeout_seconds"])
