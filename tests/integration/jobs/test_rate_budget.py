"""The shared rate budget: a sliding window per provider account, lanes by priority."""

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import pytest

from tillsync.bootstrap import Hub, open_hub
from tillsync.clock import FakeClock
from tillsync.config import Settings
from tillsync.connectors.budget import BudgetSpec
from tillsync.errors import BudgetExhausted
from tillsync.jobs.budget import RateBudgets, Verdict, lane_limit

SPEC = BudgetSpec(calls=20, window_seconds=60)


@pytest.fixture
async def clocked(settings: Settings) -> AsyncIterator[tuple[RateBudgets, FakeClock]]:
    clock = FakeClock(dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC))
    async with open_hub(settings, clock=clock) as hub:
        yield RateBudgets(hub.uows), clock


async def _grants(budgets: RateBudgets, lane: str, count: int) -> int:
    granted = 0
    for _ in range(count):
        verdict = await budgets.try_acquire("acct", SPEC, lane=lane)
        granted += verdict.granted
    return granted


async def test_no_more_than_the_budget_is_granted_in_a_window(
    clocked: tuple[RateBudgets, FakeClock],
) -> None:
    budgets, clock = clocked
    assert await _grants(budgets, "urgent", 25) == 20
    clock.advance(30)
    assert await _grants(budgets, "urgent", 5) == 0
    clock.advance(31.5)  # the first grants leave the window (plus its arrival margin)
    assert await _grants(budgets, "urgent", 25) == 20


async def test_a_refusal_says_when_a_call_frees_up(clocked: tuple[RateBudgets, FakeClock]) -> None:
    budgets, clock = clocked
    await _grants(budgets, "urgent", 20)
    clock.advance(10)
    verdict = await budgets.try_acquire("acct", SPEC, lane="urgent")
    assert not verdict.granted
    assert verdict.wait_seconds == pytest.approx(51.0)


async def test_bulk_work_leaves_headroom_for_pushes(
    clocked: tuple[RateBudgets, FakeClock],
) -> None:
    budgets, _ = clocked
    assert await _grants(budgets, "bulk", 30) == lane_limit(SPEC, "bulk") == 19
    assert await _grants(budgets, "urgent", 5) == 1  # the headroom is the pushes'


async def test_bulk_steps_aside_while_a_refused_push_waits(
    clocked: tuple[RateBudgets, FakeClock],
) -> None:
    budgets, clock = clocked
    await _grants(budgets, "urgent", 20)
    clock.advance(10)
    refused = await budgets.try_acquire("acct", SPEC, lane="urgent")
    assert not refused.granted
    clock.advance(refused.wait_seconds + 0.5)  # the window has emptied...
    assert not (await budgets.try_acquire("acct", SPEC, lane="bulk")).granted  # ...for the push
    assert (await budgets.try_acquire("acct", SPEC, lane="urgent")).granted
    clock.advance(1.0)
    assert (await budgets.try_acquire("acct", SPEC, lane="bulk")).granted


async def test_budgets_of_different_accounts_are_separate(
    clocked: tuple[RateBudgets, FakeClock],
) -> None:
    budgets, _ = clocked
    await _grants(budgets, "urgent", 20)
    assert (await budgets.try_acquire("other", SPEC, lane="urgent")).granted


async def test_interactive_callers_may_wait_workers_may_not(
    clocked: tuple[RateBudgets, FakeClock],
) -> None:
    budgets, _ = clocked
    await _grants(budgets, "urgent", 20)
    with pytest.raises(BudgetExhausted) as refused:
        await budgets.acquire("acct", SPEC, lane="urgent")
    assert refused.value.wait_seconds > 0


async def test_concurrent_acquirers_never_exceed_the_budget(hub: Hub) -> None:
    budgets = RateBudgets(hub.uows)
    spec = BudgetSpec(calls=15, window_seconds=60)
    verdicts = await asyncio.gather(
        *(budgets.try_acquire("race", spec, lane="urgent") for _ in range(40))
    )
    assert sum(v.granted for v in verdicts) == 15


async def test_a_short_window_is_widened_by_a_proportional_margin_with_a_floor(
    clocked: tuple[RateBudgets, FakeClock],
) -> None:
    budgets, clock = clocked
    short = BudgetSpec(calls=5, window_seconds=6)  # CIN7's minute scaled down ten times
    granted = [await budgets.try_acquire("scaled", short, lane="urgent") for _ in range(6)]
    assert [v.granted for v in granted] == [1, 1, 1, 1, 1, 0]
    clock.advance(6.4)  # past the window, not past its half-second margin
    assert (await budgets.try_acquire("scaled", short, lane="urgent")).granted == 0
    assert (await budgets.room("scaled", short, lane="urgent")) == 0
    clock.advance(0.2)
    assert (await budgets.room("scaled", short, lane="urgent")) == 5
    assert (await budgets.try_acquire("scaled", short, lane="urgent")).granted == 1


async def test_callers_asking_at_once_share_a_grant_transaction(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    budgets = RateBudgets(hub.uows)
    spec = BudgetSpec(calls=60, window_seconds=60)  # one grant at a time when alone
    transactions: list[int] = []
    try_acquire = budgets.try_acquire

    async def counted(budget: str, spec: BudgetSpec, *, lane: str, count: int = 1) -> Verdict:
        transactions.append(count)
        return await try_acquire(budget, spec, lane=lane, count=count)

    monkeypatch.setattr(budgets, "try_acquire", counted)
    await budgets.acquire("shared", spec, lane="urgent")
    assert transactions == [1]  # a lone caller takes no grant it will not use
    await asyncio.gather(*(budgets.acquire("shared", spec, lane="urgent") for _ in range(8)))
    assert len(transactions) < 1 + 8
    assert await budgets.room("shared", spec, lane="urgent") == 60 - 9  # a grant per call
