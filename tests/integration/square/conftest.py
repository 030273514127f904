"""A hub with the Square connector, and the Square emulator it talks to."""

from collections.abc import AsyncIterator

import pytest

from tests.support.square import Emulated, square_emulator
from tests.support.square_world import SquareWorld, square_world
from tillsync.config import Settings


@pytest.fixture
async def square() -> AsyncIterator[Emulated]:
    async with square_emulator() as emulated:
        yield emulated


@pytest.fixture
async def world(settings: Settings, square: Emulated) -> AsyncIterator[SquareWorld]:
    async with square_world(settings, square) as opened:
        yield opened
