"""The webhook watchdog, a job of Depot's own kind, switches back on a hook Depot turned off."""

from sqlalchemy import select

from tests.support.depot_world import DepotWorld
from tillsync.jobs.store import NewJob, enqueue
from tillsync.services.connections.watchdog import watchdog_kind
from tillsync.store.tables import Connection, WebhookRegistration


async def test_the_watchdog_switches_back_on_a_hook_depot_switched_off(world: DepotWorld) -> None:
    world.seed({"D-1": 5})
    await world.connect()
    await world.work()
    state = world.depot.state
    (hook,) = state.account(world.account_id).webhooks.values()
    state.deactivate_webhook(world.account_id, hook.id)  # as after failed deliveries
    assert watchdog_kind("depot") == "depot.webhook_watchdog"
    async with world.hub.uows.begin() as uow:
        connection = await uow.session.scalar(select(Connection))
        assert connection is not None
        job = NewJob(
            kind=watchdog_kind("depot"),
            payload={},
            idempotency_key="watch-1",
            tenant_id=connection.tenant_id,
            connection_id=connection.id,
        )
        assert await enqueue(uow.session, job, now=uow.now)
        await uow.commit()
    await world.work()
    async with world.hub.uows.read() as session:
        registered = list(await session.scalars(select(WebhookRegistration)))
    (again,) = state.account(world.account_id).webhooks.values()
    assert (again.id, again.active) == (hook.id, True)
    assert f"/api/webhooks/depot?connection={connection.id}" in again.url
    assert [(r.external_id, r.status) for r in registered] == [(hook.id, "active")]
    assert [call.status for call in state.traffic.calls_of("PUT", f"/webhooks/{hook.id}")] == [200]
