"""SQLite's writer turns: first come first served, an urgent writer before the waiting ones."""

import asyncio

from tillsync.store.write_turns import WriteTurns


async def _writer(turns: WriteTurns, name: str, order: list[str], *, urgent: bool = False) -> None:
    async with turns.turn(urgent=urgent):
        order.append(name)
        await asyncio.sleep(0)


async def test_writers_take_turns_in_arrival_order_and_an_urgent_one_goes_first() -> None:
    turns, order = WriteTurns(), []
    async with turns.turn():
        waiting = [asyncio.create_task(_writer(turns, f"w{n}", order)) for n in range(3)]
        await asyncio.sleep(0)
        urgent = asyncio.create_task(_writer(turns, "renewal", order, urgent=True))
        await asyncio.sleep(0)
        assert order == []  # the turn is held
    await asyncio.gather(*waiting, urgent)
    assert order == ["renewal", "w0", "w1", "w2"]


async def test_a_waiter_cancelled_before_its_turn_is_skipped() -> None:
    turns, order = WriteTurns(), []
    async with turns.turn():
        gone = asyncio.create_task(_writer(turns, "gone", order))
        kept = asyncio.create_task(_writer(turns, "kept", order))
        await asyncio.sleep(0)
        gone.cancel()
        await asyncio.sleep(0)
    await kept
    assert order == ["kept"]
    assert gone.cancelled()


async def test_a_turn_handed_to_a_waiter_cancelled_at_that_moment_is_passed_on() -> None:
    turns, order = WriteTurns(), []
    holder = turns.turn()
    await holder.__aenter__()
    first = asyncio.create_task(_writer(turns, "first", order))
    second = asyncio.create_task(_writer(turns, "second", order))
    await asyncio.sleep(0)
    await holder.__aexit__(None, None, None)  # hands the turn to `first`...
    first.cancel()  # ...which is cancelled before it runs
    await asyncio.gather(first, second, return_exceptions=True)
    assert order == ["second"]
    async with asyncio.timeout(1), turns.turn():  # and the turn is free again
        pass
