"""A hub beside a Poster emulator, on both databases."""

from collections.abc import AsyncIterator

import pytest

from tests.support.poster_world import PosterWorld, poster_world
from tillsync.config import Settings


@pytest.fixture
async def world(settings: Settings) -> AsyncIterator[PosterWorld]:
    async with poster_world(settings) as opened:
        yield opened
