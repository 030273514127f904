"""Depot's health answers, and every call to Depot passes through its shared rate budget."""

from sqlalchemy import func, select

from tests.support.depot_world import DepotWorld
from tillsync.store.tables import Job, RateGrant


async def test_health_answers_for_depot(world: DepotWorld) -> None:
    world.seed({"D-1": 5})
    # A long window: the calls are still in it when health counts them, however slow the run.
    await world.connect({"rate_limit": {"calls": 100_000, "window_seconds": 600}})
    await world.work()
    answer = await world.api.get("/api/connections/depot/health")
    assert answer.status_code == 200, answer.text
    health = answer.json()
    assert (health["connected"], health["healthy"], health["status"]) == (True, True, "active")
    assert health["accountName"] == "Depot Demo Ltd"
    assert health["lastSuccessfulSync"] is not None
    assert [(hook["type"], hook["status"]) for hook in health["webhooks"]] == [
        ("stock.changed", "active")
    ]
    assert health["rateLimit"]["limit"] == 100_000
    assert health["rateLimit"]["used"] > 0
    assert health["problems"] == []


async def test_every_call_to_depot_is_granted_by_its_rate_budget(world: DepotWorld) -> None:
    world.seed({"D-1": 5, "D-2": 6})
    await world.connect()
    await world.work()
    async with world.hub.uows.read() as session:
        grants = dict(
            (
                await session.execute(
                    select(RateGrant.budget, func.count()).group_by(RateGrant.budget)
                )
            ).all()
        )
    (budget,) = grants
    assert budget.startswith("depot:")
    assert grants[budget] >= len(world.depot.state.traffic.calls) > 0


async def test_a_tiny_rate_limit_defers_the_pull_rather_than_exceeding_it(
    world: DepotWorld,
) -> None:
    world.seed({"D-1": 5, "D-2": 6})
    await world.connect({"rate_limit": {"calls": 4, "window_seconds": 600}})
    await world.work()  # the first pull needs more calls than the budget has left
    calls = world.depot.state.traffic.calls
    async with world.hub.uows.read() as session:
        (pull,) = await session.scalars(select(Job).where(Job.kind == "depot.sync_catalog"))
        granted = await session.scalar(select(func.count()).select_from(RateGrant))
    assert len(calls) <= (granted or 0) <= 4
    assert [call.status for call in calls if call.status >= 300] == []  # none refused
    assert pull.state in ("pending", "retry")
    assert pull.next_attempt_at is not None
