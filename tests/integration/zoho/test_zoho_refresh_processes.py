"""Four worker processes and a Zoho token near the end of its hour: one of them renews it
ahead, once, and no call meets Zoho's code 57, even once the old token has run out."""

from __future__ import annotations

import datetime as dt
from contextlib import AsyncExitStack
from typing import Any

import pytest
from sqlalchemy import select, update

from tests.support.processes import environment, tillsync_process
from tests.support.secrets import remember
from tests.support.world import eventually
from tests.support.zoho_consent import connect_by_consent
from tests.support.zoho_world import ZohoWorld
from tillsync.services.connections.links import find_connection
from tillsync.store.tables import Connection, Notification, WorkerHeartbeat

pytestmark = pytest.mark.long(20)

WORKERS = 4
TOKEN = "/oauth/v2/token"
LEFT = dt.timedelta(minutes=4)
"""What is left of the token's hour: inside the five minutes in which it is renewed."""


async def test_four_workers_renew_a_token_ahead_of_its_hour_once_and_no_call_fails(
    world: ZohoWorld,
) -> None:
    await connect_by_consent(world)
    connection = await _connection(world)
    old = world.hub.services.vault.open_json(connection.credentials)["access_token"]
    ends = dt.datetime.now(dt.UTC) + LEFT  # at Zoho and in the hub's record alike
    world.zoho.tokens.access[old].expires_at = ends
    async with world.hub.uows.begin() as uow:
        await uow.session.execute(
            update(Connection).where(Connection.id == connection.id).values(token_expires_at=ends)
        )
        await uow.commit()
    for n in range(WORKERS):
        await _place(world, f"ORD-R{n}")
    env = environment(
        world.hub.settings,
        TILLSYNC_SCHEDULER_SECONDS="0.1",
        TILLSYNC_HEARTBEAT_SECONDS="0.2",
        TILLSYNC_WORKER_CONCURRENCY="1",
    )

    async with AsyncExitStack() as stack:
        for _ in range(WORKERS):
            await stack.enter_async_context(tillsync_process("worker", env=env))

        async def renewed_and_pushed() -> bool:
            return len(_token_calls(world)) >= 2 and await _pushed(world, WORKERS)

        await eventually(renewed_and_pushed, within=60)
        world.zoho.tokens.expire(now=world.zoho.clock.now(), token=old, account_id=None)
        for n in range(WORKERS, 2 * WORKERS):  # after the old token's hour
            await _place(world, f"ORD-R{n}")

        async def all_pushed() -> bool:
            return await _pushed(world, 2 * WORKERS)

        await eventually(all_pushed, within=60)
        done = dt.datetime.now(dt.UTC)

        async def every_worker_looked_again() -> bool:
            async with world.hub.uows.read() as session:
                beats = list(await session.scalars(select(WorkerHeartbeat)))
            later = [beat for beat in beats if beat.seen_at > done + dt.timedelta(seconds=1)]
            return len(later) == WORKERS

        await eventually(every_worker_looked_again, within=30)

    remember(*world.zoho.tokens.access)
    assert _token_calls(world) == [200, 200]  # the code's exchange, then one refresh
    refused = [c for c in world.zoho.calls_since() if c.code == 57 or c.status == 401]
    assert refused == []
    organization = world.zoho.organization(world.org.organization_id)
    references = sorted(o["reference_number"] for o in organization.salesorders.values())
    assert references == [f"ORD-R{n}" for n in range(2 * WORKERS)]
    renewed = await _connection(world)
    assert renewed.status == "active"
    assert renewed.token_expires_at is not None
    assert renewed.token_expires_at > ends
    async with world.hub.uows.read() as session:
        assert list(await session.scalars(select(Notification))) == []


async def _place(world: ZohoWorld, order_id: str) -> None:
    body: dict[str, Any] = {
        "business_id": world.tenant_id,
        "order_id": order_id,
        "currency": "USD",
        "items": [{"dish_id": "d-1", "name": "Garlic Naan", "quantity": 1, "unit_price": 3}],
    }
    answer = await world.place(body)
    assert answer.status_code == 201, answer.text


async def _pushed(world: ZohoWorld, count: int) -> bool:
    shown = [await world.shown(f"ORD-R{n}") for n in range(count)]
    return all(order["sync_state"] == "success" for order in shown)


def _token_calls(world: ZohoWorld) -> list[int]:
    return [c.status for c in world.zoho.calls_since() if (c.method, c.path) == ("POST", TOKEN)]


async def _connection(world: ZohoWorld) -> Connection:
    async with world.hub.uows.read() as session:
        found = await find_connection(session, world.tenant_id, "zoho")
    assert found is not None
    return found
