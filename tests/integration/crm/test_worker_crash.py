"""CRM down at the sale, then a worker killed mid-call: the invoice still exists exactly once."""

import signal
from collections.abc import AsyncIterator

import pytest

from tests.support.crm import Crm, connected_crm, invoice_jobs, post_sale
from tests.support.processes import environment, tillsync_process
from tests.support.world import World, eventually, open_world
from tillsync.config import Settings
from tillsync.emulators.crm import FaultRule

pytestmark = pytest.mark.long(13)

SKU = "TOMB45SHAVECBLCK"
SALE = {
    "saleId": "POS_CRASH_1",
    "customerId": "cust-42",
    "customerName": "Marcus Fade",
    "paymentMethod": "card",
    "items": [{"sku": SKU, "name": "Tomb45 Shaving Cream", "quantity": 1, "price": 29.99}],
}


@pytest.fixture
async def world(settings: Settings) -> AsyncIterator[World]:
    async with open_world(settings) as opened:
        yield opened


@pytest.fixture
async def crm(world: World) -> AsyncIterator[Crm]:
    async with connected_crm(world.hub.hub, world.tenant_id, retry_interval_seconds=0.3) as crm:
        yield crm


@pytest.mark.parametrize(
    "action",
    ["delay_before", "delay_after"],
    ids=["killed-before-the-crm-made-it", "killed-after-the-crm-made-it-before-settling"],
)
async def test_an_invoice_queued_while_the_crm_was_down_is_made_once_despite_a_killed_worker(
    world: World, crm: Crm, action: str
) -> None:
    crm.state.faults.down = True
    crm.state.faults.ignore_idempotency = True  # only the lookup by reference can save us
    answer = await post_sale(world.pos, SALE)
    assert answer["success"] is True
    assert answer["crmStatus"]["state"] == "queued"
    env = environment(world.settings, TILLSYNC_JOB_LEASE_SECONDS="2")

    async with tillsync_process("worker", env=env) as first:

        async def refused() -> bool:
            return any(call.status == 503 for call in crm.state.creates())

        await eventually(refused, within=20)  # the CRM was down for the first attempt
        crm.state.faults.rules.append(FaultRule(action=action, seconds=60))
        crm.state.faults.down = False  # back, but the next create hangs

        async def in_flight() -> bool:
            return not crm.state.faults.rules  # the rule is used up: the call is under way

        await eventually(in_flight, within=20)
        if action == "delay_after":
            assert len(crm.state.invoices) == 1  # made, and the answer is not out yet
        first.send_signal(signal.SIGKILL)
        await first.wait()

    async with tillsync_process("worker", env=env):

        async def settled() -> bool:
            jobs = await invoice_jobs(world.hub.hub)
            return bool(jobs) and jobs[0].state == "success"

        await eventually(settled, within=30)
    assert len(crm.state.invoices) == 1
    [job] = await invoice_jobs(world.hub.hub)
    assert job.provider_reference == crm.state.invoices[0].number
    status = (await world.pos.get(f"/api/sales/{SALE['saleId']}")).json()
    assert status["crmStatus"]["invoice_number"] == crm.state.invoices[0].number
