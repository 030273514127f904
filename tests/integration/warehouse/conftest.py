"""Every stock source's world: a hub whose tenant takes its stock from that emulator."""

from collections.abc import AsyncIterator

import pytest

from tests.support.warehouse import WORLDS, WarehouseWorld
from tillsync.config import Settings


@pytest.fixture(params=list(WORLDS))
async def world(
    request: pytest.FixtureRequest, settings: Settings
) -> AsyncIterator[WarehouseWorld]:
    async with WORLDS[request.param](settings) as opened:
        yield opened
