"""The group commit: writes waiting for the writer are made in one batch, each answered alone."""

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import pytest

from tillsync.store import group_commit
from tillsync.store.group_commit import SKIPPED, GroupCommit, Skipped


class Unit:
    def __init__(self, log: list[str]) -> None:
        self.log = log

    async def commit(self) -> None:
        self.log.append("commit")


class Units:
    """Units of work that only say when they begin and commit."""

    def __init__(self) -> None:
        self.log: list[str] = []

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[Unit]:
        self.log.append("begin")
        yield Unit(self.log)


def _recording(batches: list[list[int]]) -> Any:
    """A batch that answers each write with itself, keeping what each batch was given."""

    async def batch(_uow: Any, items: Sequence[int]) -> list[Any]:
        batches.append(list(items))
        return list(items)

    return batch


def _group(units: Units, batch: Any) -> GroupCommit[Any, Any]:
    return GroupCommit(units, batch)  # type: ignore[arg-type]


async def test_writes_waiting_together_are_one_batch_each_answered_alone() -> None:
    units, batches = Units(), []

    async def batch(_uow: Any, items: Sequence[int]) -> list[Any]:
        batches.append(list(items))
        return [ValueError(n) if n == 2 else n * 10 for n in items]

    group = _group(units, batch)
    answers = await asyncio.gather(*(group.submit(n) for n in range(4)), return_exceptions=True)
    assert batches == [[0, 1, 2, 3]]
    assert units.log == ["begin", "commit"]
    assert answers[:2] == [0, 10]
    assert answers[3] == 30
    assert isinstance(answers[2], ValueError)


async def test_writes_arriving_during_a_batch_make_the_next_one_together() -> None:
    units, batches, release = Units(), [], asyncio.Event()

    async def batch(_uow: Any, items: Sequence[int]) -> list[Any]:
        batches.append(list(items))
        if len(batches) == 1:
            await release.wait()
        return list(items)

    group = _group(units, batch)
    first = asyncio.ensure_future(group.submit(0))
    await asyncio.sleep(0.01)  # the first batch is being written
    later = [asyncio.ensure_future(group.submit(n)) for n in (1, 2, 3)]
    await asyncio.sleep(0.01)
    release.set()
    assert await asyncio.gather(first, *later) == [0, 1, 2, 3]
    assert batches == [[0], [1, 2, 3]]


async def test_a_batch_that_fails_whole_leaves_every_write_to_its_caller() -> None:
    units = Units()

    async def batch(_uow: Any, items: Sequence[int]) -> list[Any]:
        raise RuntimeError("the database went away")

    group = _group(units, batch)
    answers = await asyncio.gather(*(group.submit(n) for n in range(3)))
    assert answers == [SKIPPED] * 3
    assert all(isinstance(answer, Skipped) for answer in answers)
    assert "commit" not in units.log


async def test_a_write_whose_caller_left_before_its_batch_is_not_given_to_it() -> None:
    units, batches = Units(), []

    group = _group(units, _recording(batches))
    gone = asyncio.ensure_future(group.submit(0))
    stays = asyncio.ensure_future(group.submit(1))
    await asyncio.sleep(0)
    gone.cancel()
    assert await stays == 1
    assert batches == [[1]]


async def test_a_batch_holds_a_bounded_number_of_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(group_commit, "BATCH_LIMIT", 3)
    units, batches = Units(), []

    group = _group(units, _recording(batches))
    assert await asyncio.gather(*(group.submit(n) for n in range(7))) == list(range(7))
    assert batches == [[0, 1, 2], [3, 4, 5], [6]]


class HeldWriter(Units):
    """Units of work whose writer is busy until released."""

    def __init__(self) -> None:
        super().__init__()
        self.free = asyncio.Event()

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[Unit]:
        await self.free.wait()
        async with super().begin() as unit:
            yield unit


async def test_writes_arriving_while_the_writer_is_busy_join_the_batch() -> None:
    units, batches = HeldWriter(), []

    group = _group(units, _recording(batches))
    first = asyncio.ensure_future(group.submit(0))
    await asyncio.sleep(0.01)  # its batch waits for the writer
    later = [asyncio.ensure_future(group.submit(n)) for n in (1, 2)]
    await asyncio.sleep(0.01)
    units.free.set()
    assert await asyncio.gather(first, *later) == [0, 1, 2]
    assert batches == [[0, 1, 2]]


@pytest.fixture
def steady(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every batch counts as under steady writes, and a pause lasts 0.3 s at most."""
    monkeypatch.setattr(group_commit, "LINGER_SECONDS", 0.3)
    monkeypatch.setattr(group_commit, "STEADY_SECONDS", 60)


@pytest.mark.usefixtures("steady")
async def test_under_steady_writes_a_batch_waits_a_moment_for_those_in_flight() -> None:
    units, batches = Units(), []

    group = _group(units, _recording(batches))
    alone = await group.submit(0)  # nothing before it: no pause
    assert alone == 0
    steady = await asyncio.gather(*(group.submit(n) for n in (1, 2, 3)))
    assert steady == [1, 2, 3]
    next_one = asyncio.ensure_future(group.submit(4))  # right after a batch of three
    await asyncio.sleep(0.05)
    in_flight = asyncio.ensure_future(group.submit(5))
    assert await asyncio.gather(next_one, in_flight) == [4, 5]
    assert batches == [[0], [1, 2, 3], [4, 5]]


@pytest.mark.usefixtures("steady")
async def test_a_pause_ends_once_the_writes_expected_are_waiting() -> None:
    units, batches = Units(), []
    group = _group(units, _recording(batches))
    await asyncio.gather(*(group.submit(n) for n in (1, 2)))

    first = asyncio.ensure_future(group.submit(3))
    await asyncio.sleep(0.02)
    second = asyncio.ensure_future(group.submit(4))  # the two expected: the pause ends
    await asyncio.sleep(0.1)
    late = asyncio.ensure_future(group.submit(5))  # within the pause, had it gone on
    assert await asyncio.gather(first, second, late) == [3, 4, 5]
    assert batches == [[1, 2], [3, 4], [5]]


@pytest.mark.usefixtures("steady")
async def test_callers_split_in_two_groups_are_gathered_into_one_batch() -> None:
    """Writes that came while a batch ran, and the writes its callers send next, together."""
    units, batches, running = Units(), [], asyncio.Event()
    go_on = asyncio.Event()

    async def batch(_uow: Any, items: Sequence[int]) -> list[Any]:
        batches.append(list(items))
        if len(batches) == 1:
            running.set()
            await go_on.wait()
        return list(items)

    group = _group(units, batch)
    group_a = asyncio.gather(*(group.submit(n) for n in (1, 2)))
    await running.wait()
    group_b = asyncio.gather(*(group.submit(n) for n in (3, 4)))
    await asyncio.sleep(0.01)
    go_on.set()
    assert await group_a == [1, 2]
    again = asyncio.gather(*(group.submit(n) for n in (5, 6)))  # group A's next writes

    assert (await group_b, await again) == ([3, 4], [5, 6])
    assert batches == [[1, 2], [3, 4, 5, 6]]
