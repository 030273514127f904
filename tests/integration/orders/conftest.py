"""A hub with the tests' own POS (Till) and warehouse (Depot), each with its emulator."""

from collections.abc import AsyncIterator

import pytest

from tests.support.depot import ServedDepot, served_depot
from tests.support.till import ServedTill, served_till
from tests.support.till.world import TillWorld, till_world
from tillsync.config import Settings


@pytest.fixture
async def till() -> AsyncIterator[ServedTill]:
    async with served_till() as served:
        yield served


@pytest.fixture
async def depot() -> AsyncIterator[ServedDepot]:
    async with served_depot(name="Depot Demo Ltd") as served:
        yield served


@pytest.fixture
async def world(
    settings: Settings, till: ServedTill, depot: ServedDepot
) -> AsyncIterator[TillWorld]:
    async with till_world(settings, till, depot) as opened:
        yield opened
