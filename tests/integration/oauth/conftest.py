"""A hub that knows Tally (the tests' OAuth provider), with Tally's emulator on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.tally_world import TallyWorld, tally_world
from tillsync.config import Settings


@pytest.fixture
async def world(settings: Settings) -> AsyncIterator[TallyWorld]:
    async with tally_world(settings) as opened:
        yield opened
