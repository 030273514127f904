"""Emulator settings: the provider behaviours the notes disagree on, and the timing knobs."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from tillsync.emulators.settings import apply_changes

ThrottleStyle = Literal["503", "429", "400"]
THROTTLE_STYLES: tuple[ThrottleStyle, ...] = ("503", "429", "400")


@dataclass(slots=True)
class Settings:
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
        if self.rate_limit is not None and self.rate_limit < 1:
            raise ValueError("rate_limit must be at least 1, or null to disable")
        if self.throttle_style not in THROTTLE_STYLES:
            raise ValueError(f"throttle_style must be one of {', '.join(THROTTLE_STYLES)}")
        if not 100 <= self.unknown_path_status <= 599:
            raise ValueError("unknown_path_status must be an HTTP status")
        positive = ("rate_window_seconds", "time_scale", "webhook_timeout_seconds")
        for name in positive:
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        for name in ("webhook_delay_seconds", "fault_timeout_seconds"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)
