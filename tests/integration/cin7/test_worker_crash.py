"""A worker killed in the middle of a CIN7 push: the next one finishes it, with one CIN7 sale."""

import signal
from collections.abc import AsyncIterator

import pytest

from tests.support.processes import environment, tillsync_process
from tests.support.world import World, available, eventually, open_world, sales_with_external_id
from tillsync.config import Settings
from tillsync.emulators.cin7 import FaultRule

pytestmark = pytest.mark.long(15)

SKU = "TOMB45SHAVECBLCK"


@pytest.fixture
async def world(settings: Settings) -> AsyncIterator[World]:
    """The hub without a worker of its own, connected to a CIN7 emulator with 20 in stock."""
    async with open_world(settings) as opened:
        yield opened


async def _sell(world: World, sale_id: str) -> None:
    body = {
        "action": "RECORD_SALE",
        "saleId": sale_id,
        "items": [{"sku": SKU, "quantity": 3, "price": 29.99}],
    }
    answer = await world.pos.post("/api/cin7/sale-sync", json=body)
    assert answer.status_code == 200, answer.text


async def _sync_status(world: World, sale_id: str) -> str:
    body = {
        "action": "RECORD_SALE",
        "saleId": sale_id,
        "items": [{"sku": SKU, "quantity": 3, "price": 29.99}],
    }
    return str((await world.pos.post("/api/cin7/sale-sync", json=body)).json()["syncStatus"])


@pytest.mark.parametrize(
    ("path", "action", "moment"),
    [
        ("/sale", "delay_after", "CIN7 created the sale but the answer never came back"),
        ("/sale/order", "delay_before", "between creating the sale and authorising its order"),
        ("/sale/invoice", "delay_after", "after the invoice was made, before its answer"),
    ],
)
async def test_a_killed_worker_is_replaced_without_a_second_cin7_sale(
    world: World, path: str, action: str, moment: str
) -> None:
    world.state.faults.add_rule(FaultRule(method="POST", path=path, action=action, seconds=60))
    env = environment(world.settings, TILLSYNC_JOB_LEASE_SECONDS="2")
    await _sell(world, "CRASH-1")
    async with tillsync_process("worker", env=env) as first:

        async def stuck() -> bool:
            return not world.state.faults.rules  # the rule is used up: the call is in flight

        await eventually(stuck, within=60)
        first.send_signal(signal.SIGKILL)
        await first.wait()
    world.state.faults.clear()
    async with tillsync_process("worker", env=env):

        async def pushed() -> bool:
            return await _sync_status(world, "CRASH-1") == "success"

        await eventually(pushed, within=60)
    assert len(await sales_with_external_id(world.cin7, "CRASH-1")) == 1, moment
    assert await available(world.cin7, SKU) == 17, moment
