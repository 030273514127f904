"""Besides the API tests' shop (`served`, `shop`): a second shop, and a visitor of the dashboard."""

from collections.abc import AsyncIterator

import pytest

from tests.support.dashboard import Visitor, visiting
from tests.support.hubs import RunningHub, TenantClient
from tests.support.ledger import seed_stock
from tests.support.square import Emulated, square_emulator
from tests.support.square_world import SquareWorld, square_world
from tillsync.config import Settings

OTHER_SKU = "CORNER-CUTS-WAX"


@pytest.fixture
async def other_shop(served: RunningHub) -> AsyncIterator[TenantClient]:
    async with served.tenant("Corner Cuts") as client:
        await seed_stock(served.hub, client.tenant_id, OTHER_SKU, 4, name="Corner Cuts Wax")
        yield client


@pytest.fixture
async def visitor(served: RunningHub) -> AsyncIterator[Visitor]:
    async with visiting(served.url) as opened:
        yield opened


@pytest.fixture
async def square() -> AsyncIterator[Emulated]:
    async with square_emulator() as emulated:
        yield emulated


@pytest.fixture
async def pos_world(settings: Settings, square: Emulated) -> AsyncIterator[SquareWorld]:
    """A hub with the Square emulator (not connected yet), for the orders and POS pages."""
    async with square_world(settings, square) as opened:
        yield opened


@pytest.fixture
async def pos_visitor(pos_world: SquareWorld) -> AsyncIterator[Visitor]:
    """The POS world's tenant, signed in to the dashboard."""
    async with visiting(pos_world.url) as opened:
        key = str(pos_world.api.headers["Authorization"]).removeprefix("Bearer ")
        assert (await opened.sign_in(key)).status_code == 303
        yield opened
