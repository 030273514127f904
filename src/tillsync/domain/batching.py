"""When pushes share one warehouse document: a connection's batching settings, as rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Batching:
    mode: str
    """"per_sale", "batched" or "auto" (alone while calm, batched once busy)."""
    threshold: int
    most: int
    linger: float | None
    """Seconds a new batch gathers sales before it is pushed (None: as the budget says)."""

    @classmethod
    def of(cls, settings: Mapping[str, Any]) -> Batching:
        linger = settings.get("batch_linger_seconds")
        return cls(
            mode=str(settings.get("push_mode", "auto")),
            threshold=int(settings.get("batch_threshold", 5)),
            most=int(settings.get("batch_max_sales", 100)),
            linger=None if linger is None else float(linger),
        )

    def linger_for(self, *, calls_per_document: int, calls: int, window_seconds: float) -> float:
        """By default, long enough that batches use at most half the budget."""
        if self.linger is not None:
            return self.linger
        return 2 * calls_per_document * window_seconds / calls

    def goes_alone(self, *, busy: bool, forming: bool, waiting: int) -> bool:
        """In "auto", a push goes alone while the shop is calm: the budget has room, no
        batch is forming, and fewer than `threshold` pushes wait (this one included)."""
        return self.mode == "auto" and not (busy or forming or waiting + 1 >= self.threshold)


def busy(*, room: int, waiting: int, calls_per_document: int, lane_limit: int) -> bool:
    """Pushing every waiting sale alone (this one too) would take the budget past half."""
    return room - (waiting + 1) * calls_per_document < lane_limit / 2
