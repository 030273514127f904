"""The sync engine against the CIN7 emulator: the budget, batching, and pushes under faults."""

import asyncio
import collections
from decimal import Decimal

from sqlalchemy import func, select

from tests.support.world import World, available, eventually, open_world
from tillsync.clock import ShiftedClock
from tillsync.config import Settings
from tillsync.emulators.cin7 import FaultRule
from tillsync.jobs.worker import Worker
from tillsync.store.tables import Job


async def _states(world: World, kind: str) -> collections.Counter[str]:
    async with world.hub.hub.uows.read() as session:
        rows = await session.execute(
            select(Job.state, func.count()).where(Job.kind == kind).group_by(Job.state)
        )
        return collections.Counter(dict(rows.all()))


def _documents(world: World) -> list[str | None]:
    (account,) = world.state.accounts.values()
    return [sale.external_id for sale in account.sales.values()]


async def _run_worker_until(world: World, done: object, *, within: float, worker: Worker) -> None:
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    try:
        await eventually(done, within=within)  # type: ignore[arg-type]
    finally:
        stop.set()
        await running


async def test_a_backlog_under_the_budget_never_meets_a_throttle(settings: Settings) -> None:
    budget = {"calls": 20, "window_seconds": 2}
    async with open_world(
        settings, stock=100, connection_settings={"push_mode": "per_sale", "rate_limit": budget}
    ) as world:
        world.state.update_settings(rate_limit=20, rate_window_seconds=2, throttle_style="429")
        for n in range(20):
            await world.sell(f"B-{n}", quantity=1)

        async def pushed() -> bool:
            return (await _states(world, "cin7.push_sale")) == {"success": 20}

        await _run_worker_until(world, pushed, within=60, worker=world.hub.hub.create_worker())
        calls = world.state.calls_since()
        assert len([c for c in calls if c.path.lower().endswith("/sale")]) >= 20
        assert [c for c in calls if c.throttled] == []
        assert sorted(_documents(world)) == sorted(f"B-{n}" for n in range(20))


async def test_pending_sales_are_coalesced_and_each_reaches_cin7_once(
    settings: Settings,
) -> None:
    batched = {"push_mode": "batched"}
    async with open_world(settings, stock=100, connection_settings=batched) as world:
        world.state.faults.add_rule(
            FaultRule(method="POST", path="/sale/order", action="reset_after")
        )
        for n in range(12):
            await world.sell(f"C-{n}", quantity=1)

        async def pushed() -> bool:
            sales = await _states(world, "cin7.push_sale")
            batches = await _states(world, "cin7.push_batch")
            return set(sales) <= {"success", "batched"} and set(batches) == {"success"}

        await _run_worker_until(world, pushed, within=30, worker=world.hub.hub.create_worker())
        sales = await _states(world, "cin7.push_sale")
        batches = await _states(world, "cin7.push_batch")
        assert sales["batched"] >= 2  # the worker's other slots may push a few alone
        documents = _documents(world)
        assert len(documents) == sales["success"] + batches["success"]
        assert (
            sum(1 for d in documents if d and d.startswith("tillsync-batch-")) == batches["success"]
        )
        assert await available(world.cin7) == Decimal(100 - 12)  # every sale once, none twice
        # A POS retrying a sale that went out in a batch hears the batch's outcome.
        retried = [await world.sell(f"C-{n}", quantity=1) for n in range(12)]
        assert {(r["duplicate"], r["syncStatus"]) for r in retried} == {(True, "success")}


async def test_a_batch_takes_in_the_sales_that_arrive_before_it_sends(settings: Settings) -> None:
    lingering = {"push_mode": "batched", "batch_linger_seconds": 60}
    clock = ShiftedClock()  # the linger ends when the test says, however slow the machine
    async with open_world(settings, stock=100, connection_settings=lingering, clock=clock) as world:
        worker = world.hub.hub.create_worker()
        worker.concurrency = 1  # one push at a time: which path each sale takes is certain
        for n in range(3):
            await world.sell(f"L-{n}", quantity=1)
        await worker.run_until_idle()  # the first push forms a batch of three, due in 60 s
        for n in range(3, 5):
            await world.sell(f"L-{n}", quantity=1)
        await worker.run_until_idle()  # a push joins the lingering batch, and takes L-4 along
        assert _documents(world) == []
        clock.skip(61)
        for n in range(5, 7):
            await world.sell(f"L-{n}", quantity=1)
        await worker.run_until_idle()  # the batch is due first and takes in L-5 and L-6
        assert await _states(world, "cin7.push_sale") == {"batched": 7}
        assert await _states(world, "cin7.push_batch") == {"success": 1}
        (document,) = _documents(world)
        assert str(document).startswith("tillsync-batch-")
        assert await available(world.cin7) == Decimal(100 - 7)


async def test_a_retried_sale_answers_with_its_failed_batchs_state(settings: Settings) -> None:
    at_once = {"push_mode": "batched", "batch_linger_seconds": 0}
    async with open_world(settings, stock=100, connection_settings=at_once) as world:
        world.state.faults.add_rule(
            FaultRule(method="POST", path="/sale", action="fail_before", status=400, times=None)
        )
        for n in range(8):
            await world.sell(f"F-{n}", quantity=1)
        await world.hub.hub.create_worker().run_until_idle()
        assert (await _states(world, "cin7.push_sale"))["batched"] >= 2
        retried = [await world.sell(f"F-{n}", quantity=1) for n in range(8)]
        assert {r["syncStatus"] for r in retried} == {"failed"}


async def test_auto_mode_pushes_a_lone_sale_by_itself(settings: Settings) -> None:
    async with open_world(settings, stock=100) as world:
        await world.sell("ALONE-1", quantity=1)
        await world.hub.hub.create_worker().run_until_idle()
        assert _documents(world) == ["ALONE-1"]
