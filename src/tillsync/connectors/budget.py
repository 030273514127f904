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


@dataclass(frozen=True, slots=True)
class Window:
    """A further window a provider counts calls in (a day's quota) beside its rate limit."""

    calls: int
    window_seconds: float
    name: str
    """Part of the budget's name (`day`)."""
    setting: str = ""
    """The connection setting that gives `calls` (the quota of the account's plan), if any."""
    reserve: float = 0.0
    """The share kept for urgent work (order and sale pushes): other lanes stop before it."""


@dataclass(frozen=True, slots=True)
class RateLimit:
    """`calls` per rolling `window_seconds`, counted per account: the credentials (or, for
    an account chosen at connect, the settings) in `per`; every call also passes `windows`."""

    calls: int
    window_seconds: float
    per: tuple[str, ...] = ()
    windows: tuple[Window, ...] = ()

    def spec(self) -> BudgetSpec:
        return BudgetSpec(calls=self.calls, window_seconds=self.window_seconds)


DEFAULT_RATE_LIMIT = RateLimit(calls=300, window_seconds=60.0)
"""For a provider that publishes no limit: generous, and a connection setting can change it."""
