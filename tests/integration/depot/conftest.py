"""A hub built with the tests' own provider, Depot, and a Depot emulator, both on loopback.

The hub is `create_app(settings, providers=default_providers().adding(DEPOT))` served over
real HTTP, with `public_url` pointing at it so Depot's webhooks reach it; the worker runs
when a test says so (`world.work()`), as the CIN7 engine tests drive it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.depot import ServedDepot, served_depot
from tests.support.depot_world import DepotWorld, depot_world
from tests.support.secrets import remember
from tillsync.config import Settings


@pytest.fixture
async def depot() -> AsyncIterator[ServedDepot]:
    async with served_depot(name="Depot Demo Ltd") as served:
        remember(served.api_key)
        yield served


@pytest.fixture
async def world(settings: Settings, depot: ServedDepot) -> AsyncIterator[DepotWorld]:
    async with depot_world(settings, depot) as opened:
        yield opened
