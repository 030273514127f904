"""An order reaches the POS exactly once: through lost answers, 500s, 429s and manual syncs."""

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from tests.support.till.world import TillWorld
from tillsync.services.orders import record_pos_state
from tillsync.store.tables import Job


async def _synced(world: TillWorld, order_id: str) -> dict[str, Any]:
    async def done() -> dict[str, Any] | None:
        shown = await world.shown(order_id)
        return shown if shown["sync_state"] in ("success", "failed") else None

    result: dict[str, Any] = await world.work_until(done)
    return result


async def test_an_order_is_made_at_the_pos_once_with_its_reference(world: TillWorld) -> None:
    await world.connect_fast()
    placed = await world.place(world.order("ORD-1"))
    assert placed.status_code == 201, placed.text
    assert placed.json()["data"]["order"]["sync_state"] == "pending"
    shown = await _synced(world, "ORD-1")
    (made,) = world.till.state.orders.values()
    assert (shown["sync_state"], shown["pos_order_id"]) == ("success", made.id)
    assert made.reference == made.idempotency_key == "ORD-1"
    assert made.body["lines"] == [
        {"quantity": "2", "note": "Extra spicy", "name": "Paneer Butter Masala", "price": "300"}
    ]
    assert made.body["customer"] == {"name": "Asha", "phone": "+91 98765 43210"}
    assert made.body["note"] == "Ring twice"


@pytest.mark.parametrize("fault", ["drop", "500", "429"])
async def test_an_order_is_made_once_when_the_first_answer_fails(
    world: TillWorld, fault: Any
) -> None:
    await world.connect_fast()
    world.till.state.faults.append(fault)
    await world.place(world.order("ORD-F"))
    shown = await _synced(world, "ORD-F")
    orders = world.till.state.by_reference("ORD-F")
    assert len(orders) == 1
    assert (shown["sync_state"], shown["pos_order_id"]) == ("success", orders[0].id)
    assert shown["syncs"][0]["retry_count"] == 1
    # every try after one that reached for the POS looks the order up before creating it
    assert world.till.state.calls_of("GET", "/orders") == [200]
    made = [201] if fault != "drop" else []
    assert world.till.state.calls_of("POST", "/orders") == [
        0 if fault == "drop" else int(fault),
        *made,
    ]


async def test_a_manual_sync_of_a_synced_order_makes_no_second_pos_order(
    world: TillWorld,
) -> None:
    await world.connect_fast()
    await world.place(world.order("ORD-M"))
    shown = await _synced(world, "ORD-M")
    answer = await world.api.post("/api/v1/pos/sync/ORD-M")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["data"]["syncLog"]["already_synced"] is True
    assert body["data"]["syncLog"]["pos_order_id"] == shown["pos_order_id"]
    assert "no second order" in body["message"]
    await world.work()
    assert len(world.till.state.orders) == 1
    assert world.till.state.calls_of("POST", "/orders") == [201]


async def test_without_auto_sync_an_order_waits_for_a_manual_sync(world: TillWorld) -> None:
    await world.connect_fast(auto_sync_orders=False)
    await world.place(world.order("ORD-H"))
    await world.work()
    assert (await world.shown("ORD-H"))["sync_state"] == "not_synced"
    assert not world.till.state.orders
    answer = await world.api.post("/api/v1/pos/sync/ORD-H")
    assert answer.status_code == 200, answer.text
    assert answer.json()["message"] == "Order sync initiated"
    shown = await _synced(world, "ORD-H")
    assert shown["sync_state"] == "success"
    assert len(world.till.state.orders) == 1


async def test_a_refused_order_fails_at_once_and_the_seller_is_told(world: TillWorld) -> None:
    await world.connect_fast()
    world.till.state.faults.append("400")
    await world.place(world.order("ORD-BAD"))
    shown = await _synced(world, "ORD-BAD")
    assert shown["sync_state"] == "failed"
    assert shown["syncs"][0]["retry_count"] == 0  # a 400 is not retried
    assert world.till.state.calls_of("POST", "/orders") == [400]
    notices = (await world.api.get("/api/notifications")).json()
    assert "Sending an order to Till failed" in [n["title"] for n in notices["notifications"]]
    retried = await world.api.post("/api/v1/pos/sync/ORD-BAD")
    assert retried.status_code == 200, retried.text
    shown = await _synced(world, "ORD-BAD")
    assert shown["sync_state"] == "success"
    # the retry looked the order up first (the failed try might have made it), then made it
    assert world.till.state.calls_of("GET", "/orders") == [200]
    assert len(world.till.state.orders) == 1


async def test_three_failures_in_a_row_tell_the_seller(world: TillWorld) -> None:
    await world.connect_fast()
    world.till.state.faults.extend(["500", "500", "500"])
    await world.place(world.order("ORD-S"))
    shown = await _synced(world, "ORD-S")
    assert shown["sync_state"] == "success"
    notices = (await world.api.get("/api/notifications")).json()["notifications"]
    assert [n["kind"] for n in notices if n["kind"] == "consecutive_failures"] == [
        "consecutive_failures"
    ]


async def test_the_pos_state_reported_later_is_shown(world: TillWorld) -> None:
    await world.connect_fast()
    await world.place(world.order("ORD-ST"))
    shown = await _synced(world, "ORD-ST")
    now = world.hub.uows.clock.now()
    assert await record_pos_state(
        world.hub.uows,
        tenant_id=world.tenant_id,
        pos_order_id=shown["pos_order_id"],
        state="COMPLETED",
        at=now,
    )
    assert (await world.shown("ORD-ST"))["pos_state"] == "COMPLETED"


async def test_a_refused_token_fails_the_push_once_and_asks_to_reconnect(
    world: TillWorld,
) -> None:
    await world.connect_fast()
    world.till.state.faults.append("401")
    await world.place(world.order("ORD-401"))
    shown = await _synced(world, "ORD-401")
    assert (shown["sync_state"], shown["syncs"][0]["retry_count"]) == ("failed", 0)
    integration = await world.api.get(f"/api/v1/pos/integration/{world.tenant_id}")
    assert integration.json()["data"]["integration"]["status"] == "reauth_required"
    notices = (await world.api.get("/api/notifications")).json()["notifications"]
    assert [n["kind"] for n in notices] == ["reauth_required"]


async def test_a_push_cut_off_after_its_call_is_not_made_again(world: TillWorld) -> None:
    """As if a worker died between the POS's answer and the checkpoint: the order is at the
    POS and the job holds only its `sending` mark."""
    await world.connect_fast(auto_sync_orders=False)
    await world.place(world.order("ORD-CUT"))
    made = world.till.state.create("ORD-CUT", {"reference": "ORD-CUT"})
    assert made is not None
    async with world.hub.uows.begin() as uow:
        order = (await world.shown("ORD-CUT"))["id"]
        uow.session.add(
            Job(
                kind="till.push_order",
                payload={"order": order},
                idempotency_key=f"cut:{order}",
                tenant_id=world.tenant_id,
                connection_id=await _till_connection(world),
                subject=f"order:{order}",
                checkpoint={"sending": True},
                next_attempt_at=uow.now,
                created_at=uow.now,
                attempts=1,
            )
        )
        await uow.commit()
    shown = await _synced(world, "ORD-CUT")
    assert (shown["sync_state"], shown["pos_order_id"]) == ("success", made.id)
    assert world.till.state.calls_of("POST", "/orders") == []
    assert len(world.till.state.orders) == 1


async def _till_connection(world: TillWorld) -> str:
    integration = await world.api.get(f"/api/v1/pos/integration/{world.tenant_id}")
    connection_id: str = integration.json()["data"]["integration"]["id"]
    return connection_id


async def test_a_failed_push_retries_on_seed_004s_schedule_by_default(world: TillWorld) -> None:
    answer = await world.connect()  # no retry settings: seed 004's every 5 minutes, 12 times
    assert answer.status_code == 200, answer.text
    world.till.state.faults.append("500")
    await world.place(world.order("ORD-5"))
    await world.work()
    shown = await world.shown("ORD-5")
    (sync,) = shown["syncs"]
    assert (shown["sync_state"], sync["status"], sync["retry_count"]) == ("retry", "retry", 0)
    async with world.hub.uows.read() as session:
        job = await session.scalar(select(Job).where(Job.kind == "till.push_order"))
    assert job is not None
    assert job.completed_at is None
    assert job.started_at is not None
    wait = job.next_attempt_at - job.started_at  # counted from the failure, after the start
    assert dt.timedelta(seconds=300) <= wait < dt.timedelta(seconds=330)
    assert sync["error_message"]
    assert "500" in sync["error_message"]
    assert world.till.state.calls_of("POST", "/orders") == [500]


async def test_throttling_backs_off_and_is_not_a_failure_of_the_connection(
    world: TillWorld,
) -> None:
    answer = await world.connect()
    assert answer.status_code == 200, answer.text
    world.till.state.faults.append("throttle")
    await world.place(world.order("ORD-429"))
    await world.work()
    async with world.hub.uows.read() as session:
        job = await session.scalar(select(Job).where(Job.kind == "till.push_order"))
    assert job is not None
    assert job.started_at is not None
    assert (job.state, job.error_class) == ("retry", "throttled")
    wait = job.next_attempt_at - job.started_at  # the policy's throttle base, not 5 minutes
    assert dt.timedelta(seconds=5) <= wait < dt.timedelta(seconds=60)
    integration = await world.api.get(f"/api/v1/pos/integration/{world.tenant_id}")
    assert integration.json()["data"]["integration"]["error_count"] == 0
