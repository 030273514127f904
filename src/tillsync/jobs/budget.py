"""One rate budget per provider account, shared through the database by every process.

Each budget is a sliding log of grants. A call may leave only with a grant; a grant is
given when fewer than the lane's share of `calls` were granted in the last window (plus
a margin for the time a request takes to arrive). Lanes give pushes precedence:

- urgent (sale and order pushes) may use the whole budget;
- normal (stock checks) leaves a little for urgent work;
- bulk (backfills, reconciliation) leaves a little more, and steps aside entirely while
  a higher lane has recently been refused, so a backlog of pushes drains first.

A refused caller learns how long until a grant frees up. Workers then put the job back
for that long (they never sleep holding a job); interactive callers may wait instead.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import delete, func, select

from tillsync.connectors.budget import LANES, BudgetSpec, Gate
from tillsync.errors import BudgetExhausted
from tillsync.store.database import chunks, insert_unless_present
from tillsync.store.tables import RateBudget, RateGrant
from tillsync.store.uow import UnitsOfWork

ARRIVAL_MARGIN_SECONDS = 1.0
"""The most a grant's window is widened by: the time between a grant and the call's arrival."""
MIN_ARRIVAL_MARGIN_SECONDS = 0.5
HEADROOM = {"urgent": 0.0, "normal": 0.02, "bulk": 0.05}
INTERACTIVE_WAIT_SECONDS = 30.0
PRUNE_EVERY = 100
MAX_BLOCK = 50


@dataclass(frozen=True, slots=True)
class Verdict:
    granted: int
    wait_seconds: float


def block_size(spec: BudgetSpec) -> int:
    """Grants one transaction may take for later calls of this process.

    A budget of 60 a minute is granted one call at a time; a generous one (thousands a
    minute) in small blocks, so its bookkeeping does not cost a transaction per call.
    A grant taken ahead is used within half the arrival margin or not at all, so a call
    still arrives inside the window its grant was counted in.
    """
    per_second = spec.calls / spec.window_seconds
    return max(1, min(MAX_BLOCK, int(per_second * pool_seconds(spec) / 4)))


def arrival_margin(spec: BudgetSpec) -> float:
    """How much wider than the provider's window the hub counts its grants.

    A call arrives a little after its grant (a commit, a request on the wire), and by a
    varying amount: counting over a slightly wider window keeps the provider's own count
    under its limit. One second for a one-minute window; a window scaled down (tests, benchmarks)
    gets a proportional share, never under half a second.
    """
    share = spec.window_seconds / 60
    return min(ARRIVAL_MARGIN_SECONDS, max(MIN_ARRIVAL_MARGIN_SECONDS, share))


def pool_seconds(spec: BudgetSpec) -> float:
    return arrival_margin(spec) / 2


def lane_limit(spec: BudgetSpec, lane: str) -> int:
    """The grants a lane may hold in a window: urgent all, the others less their headroom
    (or the budget's reserve for pushes, where larger)."""
    headroom = HEADROOM[lane] if lane == "urgent" else max(HEADROOM[lane], spec.reserve)
    return max(1, spec.calls - math.ceil(spec.calls * headroom))


class RateBudgets:
    def __init__(self, uows: UnitsOfWork) -> None:
        self.uows = uows
        self._known: set[str] = set()  # budgets whose lock row exists already
        self._asked = 0
        self._pool: dict[tuple[str, str], list[float]] = {}  # grants taken ahead, by expiry
        self._turns: dict[tuple[str, str], asyncio.Lock] = {}
        self._waiting: dict[tuple[str, str], int] = {}

    async def try_acquire(
        self, budget: str, spec: BudgetSpec, *, lane: str, count: int = 1
    ) -> Verdict:
        """Up to `count` grants at once (`granted` says how many; 0 is a refusal)."""
        if lane not in LANES:
            raise ValueError(f"unknown lane {lane!r}")
        window = _counted_window(spec)
        async with self.uows.begin() as uow:
            session, now = uow.session, uow.now
            if budget not in self._known:
                await session.execute(
                    insert_unless_present(session, RateBudget, {"budget": budget})
                )
                self._known.add(budget)
            # Lock first, count after: on PostgreSQL a count taken in the locking statement
            # would come from the snapshot before the wait, and overbook the window.
            locking = select(RateBudget).where(RateBudget.budget == budget).with_for_update()
            state = await session.scalar(locking)
            if state is None:  # another task of this process inserted it, not yet committed
                await session.execute(
                    insert_unless_present(session, RateBudget, {"budget": budget})
                )  # waits for that insert on PostgreSQL; then the row is there to lock
                state = await session.scalar(locking)
            assert state is not None
            # Grants are stamped after the lock is held: the transaction may have waited.
            now = self.uows.clock.now()
            start = now - window
            used, oldest = (
                await session.execute(
                    select(func.count(), func.min(RateGrant.granted_at)).where(
                        RateGrant.budget == budget, RateGrant.granted_at > start
                    )
                )
            ).one()
            self._asked += 1
            if self._asked % PRUNE_EVERY == 0:  # the count above ignores old grants anyway
                await session.execute(
                    delete(RateGrant).where(
                        RateGrant.budget == budget, RateGrant.granted_at <= start
                    )
                )
            outranked = (
                state.waiting_until is not None
                and state.waiting_until > now
                and LANES.index(state.waiting_lane or "bulk") < LANES.index(lane)
            )
            room = lane_limit(spec, lane) - used
            if room > 0 and not outranked:
                taken = min(room, count)
                session.add_all(
                    RateGrant(budget=budget, lane=lane, granted_at=now) for _ in range(taken)
                )
                await uow.commit()
                return Verdict(granted=taken, wait_seconds=0.0)
            wait = max((oldest + window - now).total_seconds(), 0.05) if oldest else 0.05
            if not outranked and (
                state.waiting_until is None
                or state.waiting_until <= now
                or LANES.index(lane) < LANES.index(state.waiting_lane or "bulk")
            ):
                state.waiting_lane = lane
                state.waiting_until = now + dt.timedelta(seconds=wait + 1.0)
            state.denied += 1
            await uow.commit()
            return Verdict(granted=0, wait_seconds=wait)

    async def acquire(
        self, budget: str, spec: BudgetSpec, *, lane: str, wait: bool = False
    ) -> None:
        """Take a grant, or raise BudgetExhausted; with `wait`, sleep for one (bounded).

        Callers of this process asking at once share one transaction: the first takes a
        grant for each caller waiting behind it, and they take theirs from the pool. A
        burst of pushes then costs one grant transaction per handful of calls, not each.
        """
        loop = asyncio.get_running_loop()
        key = (budget, lane)
        deadline = loop.time() + INTERACTIVE_WAIT_SECONDS
        while True:
            self._waiting[key] = self._waiting.get(key, 0) + 1
            try:
                async with self._turns.setdefault(key, asyncio.Lock()):
                    if self._from_pool(key, loop.time()):
                        return
                    count = max(block_size(spec), min(self._waiting[key], MAX_BLOCK))
                    verdict = await self.try_acquire(budget, spec, lane=lane, count=count)
                    if verdict.granted:
                        expiry = loop.time() + pool_seconds(spec)
                        self._pool.setdefault(key, []).extend([expiry] * (verdict.granted - 1))
                        return
            finally:
                self._waiting[key] -= 1
            if not wait or loop.time() + verdict.wait_seconds > deadline:
                raise BudgetExhausted(budget, wait_seconds=verdict.wait_seconds)
            await asyncio.sleep(verdict.wait_seconds)

    def _from_pool(self, key: tuple[str, str], now: float) -> bool:
        pool = self._pool.get(key, [])
        while pool:
            if pool.pop() > now:
                return True
        return False

    async def room(self, budget: str, spec: BudgetSpec, *, lane: str) -> int:
        """Grants the lane could take right now (a read: nothing is reserved)."""
        async with self.uows.read() as session:
            used = await session.scalar(
                select(func.count()).where(
                    RateGrant.budget == budget,
                    RateGrant.granted_at > self.uows.clock.now() - _counted_window(spec),
                )
            )
        return lane_limit(spec, lane) - int(used or 0)

    async def usage(self, budget: str, spec: BudgetSpec) -> dict[str, float | int]:
        """Grants in the current window, for health pages and benchmarks."""
        return (await self.usages({budget: spec}))[budget]

    async def usages(self, budgets: Mapping[str, BudgetSpec]) -> dict[str, dict[str, float | int]]:
        """`usage` of many budgets at once: one count per window length, one read of refusals."""
        now = self.uows.clock.now()
        by_window: dict[float, list[str]] = {}
        for budget, spec in budgets.items():
            by_window.setdefault(spec.window_seconds, []).append(budget)
        used: dict[str, int] = {}
        async with self.uows.read() as session:
            for seconds, names in by_window.items():
                for some in chunks(names):
                    rows = await session.execute(
                        select(RateGrant.budget, func.count())
                        .where(
                            RateGrant.budget.in_(some),
                            RateGrant.granted_at > now - dt.timedelta(seconds=seconds),
                        )
                        .group_by(RateGrant.budget)
                    )
                    used |= {name: int(count) for name, count in rows}
            denied: dict[str, int] = {}
            for some in chunks(list(budgets)):
                rows = await session.execute(
                    select(RateBudget.budget, RateBudget.denied).where(RateBudget.budget.in_(some))
                )
                denied |= {name: int(count or 0) for name, count in rows}
        return {
            budget: {
                "used": used.get(budget, 0),
                "calls": spec.calls,
                "denied": denied.get(budget, 0),
            }
            for budget, spec in budgets.items()
        }

    def gate(self, budget: str, spec: BudgetSpec, *, lane: str, wait: bool = False) -> Gate:
        async def gate() -> None:
            await self.acquire(budget, spec, lane=lane, wait=wait)

        return gate


def _counted_window(spec: BudgetSpec) -> dt.timedelta:
    return dt.timedelta(seconds=spec.window_seconds + arrival_margin(spec))
