"""A served hub per test, with one tenant whose TOMB45SHAVECBLCK has 10 available."""

from collections.abc import AsyncIterator

import pytest

from tests.support.hubs import RunningHub, TenantClient, running_hub
from tests.support.ledger import seed_stock
from tillsync.clock import FakeClock
from tillsync.config import Settings

SKU = "TOMB45SHAVECBLCK"
HOUR = 3600.0


@pytest.fixture
async def served(settings: Settings) -> AsyncIterator[RunningHub]:
    async with running_hub(settings) as running:
        yield running


@pytest.fixture
async def shop(served: RunningHub) -> AsyncIterator[TenantClient]:
    async with served.tenant() as client:
        await seed_stock(
            served.hub, client.tenant_id, SKU, 10, name="Tomb45 Shaving Cream", reorder_level=3
        )
        yield client


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def held(settings: Settings, clock: FakeClock) -> AsyncIterator[RunningHub]:
    """A hub on a fake clock whose stock memory moves only when a test refreshes it."""
    settings.stock_poll_seconds = HOUR
    settings.stock_freshness_seconds = HOUR
    async with running_hub(settings, clock=clock) as running:
        yield running
