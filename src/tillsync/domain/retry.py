"""When a failed job runs again: a small frozen value, decided from the outcome class."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

OUTCOMES = ("retryable", "throttled", "auth", "permanent")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """`delays[n]` is the wait before retry n+1; when they run out the job has failed.

    Throttling backs off exponentially from `throttle_base` to `throttle_cap` with full
    jitter, unless the provider said how long to wait: its word wins.
    """

    delays: tuple[float, ...] = (2, 5, 15, 30, 60, 120, 300, 300, 300, 300, 300, 300)
    throttle_base: float = 5.0
    throttle_cap: float = 300.0
    max_throttles: int = 50
    rng: random.Random = field(default_factory=random.Random, compare=False)

    def next_delay(
        self, *, outcome: str, attempts: int, wait_hint: float | None = None
    ) -> float | None:
        """Seconds until the next attempt after `attempts` failures, or None: give up."""
        if outcome == "throttled":
            if attempts > self.max_throttles:
                return None
            if wait_hint is not None:
                return max(wait_hint, 0.0)
            ceiling = min(self.throttle_cap, self.throttle_base * 2 ** min(attempts - 1, 16))
            return self.throttle_base + self.rng.uniform(0, max(ceiling - self.throttle_base, 0))
        if outcome == "retryable" and attempts <= len(self.delays):
            return float(self.delays[attempts - 1])
        return None
