"""A worker killed after Square made the order and before the push's checkpoint: the next
worker finds the order by our reference, and Square has it exactly once."""

import json
import signal

import pytest

from tests.support.processes import environment, tillsync_process
from tests.support.square_world import SquareWorld
from tests.support.world import eventually
from tillsync.emulators.square import FaultRule

pytestmark = pytest.mark.long(12)


async def test_an_order_is_made_at_square_once_despite_a_worker_killed_before_its_checkpoint(
    world: SquareWorld,
) -> None:
    await world.connect_fast()
    held = FaultRule("POST", "/v2/orders", "delay_after", seconds=60)
    world.square.state.faults.configure(rules=[held])  # made, and the answer held back
    placed = await world.place(world.order("ORD-K"))
    assert placed.status_code == 201, placed.text
    application = world.square.state.application
    env = environment(
        world.hub.settings,
        TILLSYNC_JOB_LEASE_SECONDS="2",
        TILLSYNC_PROVIDER_URLS=json.dumps({"square": world.square.url}),
        TILLSYNC_OAUTH_APPS=json.dumps(
            {
                "square": {
                    "client_id": application.client_id,
                    "client_secret": application.client_secret,
                }
            }
        ),
    )

    def ours() -> list[str]:
        return [i for i, o in world.orders.items() if o.get("reference_id") == "ORD-K"]

    async with tillsync_process("worker", env=env) as first:

        async def made() -> bool:
            return bool(ours())

        await eventually(made, within=20)
        assert not world.square.state.faults.rules  # the rule is used up: the answer is held
        first.send_signal(signal.SIGKILL)
        await first.wait()
    assert (await world.shown("ORD-K"))["pos_order_id"] is None

    async with tillsync_process("worker", env=env):

        async def settled() -> bool:
            return (await world.shown("ORD-K"))["sync_state"] in ("success", "failed")

        await eventually(settled, within=30)
    shown = await world.shown("ORD-K")
    assert ours() == [shown["pos_order_id"]]
    assert shown["sync_state"] == "success"
    creates = [c for c in world.square.state.calls_since() if c.path == "/v2/orders"]
    searches = [c for c in world.square.state.calls_since() if c.path == "/v2/orders/search"]
    assert len(creates) == 1  # the second worker looked the order up and made none
    assert [c.status for c in searches] == [200]
