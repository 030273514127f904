"""A worker process killed after the warehouse made a sale and before the push's checkpoint:
the next worker finds the sale by our reference and finishes it, and the warehouse holds it
once, its stock taken.

Real processes are costly: the table runs the worlds in `KILLED`, those whose warehouse has
no other such test (CIN7's is `tests/integration/cin7/test_worker_crash.py`). A world joins
it by holding back the answer to its next sale (`hold_next_sale`).
"""

import signal
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.support.processes import environment, tillsync_process
from tests.support.warehouse import WORLDS, WarehouseWorld
from tests.support.world import eventually
from tillsync.config import Settings

pytestmark = pytest.mark.long(12)

KILLED = ["zoho"]


@pytest.fixture(params=KILLED)
async def world(
    request: pytest.FixtureRequest, settings: Settings
) -> AsyncIterator[WarehouseWorld]:
    async with WORLDS[request.param](settings) as opened:
        yield opened


async def test_a_sale_reaches_the_warehouse_once_despite_a_worker_killed_before_its_checkpoint(
    world: WarehouseWorld,
) -> None:
    await world.connect()
    before = world.available(world.sku)
    world.hold_next_sale()
    await world.sell("SALE-K", quantity=2)
    env = environment(world.hub.settings, TILLSYNC_JOB_LEASE_SECONDS="2")

    async with tillsync_process("worker", env=env) as first:

        async def made() -> bool:
            return world.sales("SALE-K") == 1

        await eventually(made, within=20)
        first.send_signal(signal.SIGKILL)
        await first.wait()
    assert await _pushes(world) == ["syncing"]  # its checkpoint was never written

    async with tillsync_process("worker", env=env):

        async def ended() -> bool:
            return all(state in ("success", "failed") for state in await _pushes(world))

        await eventually(ended, within=30)
    assert await _pushes(world) == ["success"]
    assert world.sales("SALE-K") == 1
    assert len(world.creates()) == 1  # the second worker looked the sale up and made none
    assert world.lookups() == [200]
    assert world.available(world.sku) == before - 2


async def _pushes(world: WarehouseWorld) -> list[str]:
    """The states of the sale's pushes to the world's warehouse, as its history shows them."""
    answer = await world.api.get("/api/sales/SALE-K/history")
    assert answer.status_code == 200, answer.text
    jobs: list[dict[str, Any]] = answer.json()["jobs"]
    return [job["status"] for job in jobs if job["provider"] == world.provider]
