"""Every POS provider's world: a hub connected to that provider's emulator."""

from collections.abc import AsyncIterator

import pytest

from tests.support.pos import WORLDS, PosWorld
from tillsync.config import Settings


@pytest.fixture(params=list(WORLDS))
async def world(request: pytest.FixtureRequest, settings: Settings) -> AsyncIterator[PosWorld]:
    async with WORLDS[request.param](settings) as opened:
        yield opened
