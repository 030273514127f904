"""What a provider's rate limit is, and the gate every call passes through.

The budget itself lives in the database (tillsync.jobs.budget), shared by every worker
and process; connectors only see a `Gate` to await before each call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

LANES = ("urgent", "normal", "bulk")
"""Sale and order pushes, then stock checks, then backfills and reconciliation."""


class Gate(Protocol):
    async def __call__(self) -> None:
        """Return when one call may leave; raise BudgetExhausted when it may not yet."""
        ...


@dataclass(frozen=True, slots=True)
class BudgetSpec:
    """`calls` per rolling `window_seconds`, as the provider counts them."""

    calls: int
    window_seconds: float
    reserve: float = 0.0
    """The share only urgent work (pushes) may use, where more than the lanes' headroom."""

    def __post_init__(self) -> None:
        if self.calls < 1 or self.window_seconds <= 0:
            raise ValueError("a rate budget needs at least one call per positive window")
        if not 0 <= self.reserve < 1:
            raise ValueError("a budget's reserve is a share under one")


def lane_for(priority: int) -> str:
    """Job priorities map onto the budget's lanes."""
    if priority < 50:
        return "urgent"
    if priority < 150:
        return "normal"
    return "bulk"
