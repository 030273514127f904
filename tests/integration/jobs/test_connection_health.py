"""Connection health: failure streaks, re-authorisation, one notice per event, the schedule."""

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.support.health import Scripted, Shop, shop_on, worker_for
from tillsync.config import Settings
from tillsync.domain.retry import RetryPolicy
from tillsync.errors import AuthFailed, Permanent, Retryable, Throttled
from tillsync.services.health import policy_from_settings
from tillsync.services.tenants import create_tenant
from tillsync.store.tables import Connection, Job, Notification

INTERVAL = 60
BAD_GATEWAY = Retryable("GET /ref/productavailability: 502 Bad Gateway", status=502)


@pytest.fixture
async def shop(settings: Settings) -> AsyncIterator[Shop]:
    async with shop_on(settings) as opened:
        yield opened


async def _attempt(shop: Shop, handler: Scripted) -> None:
    """Run whatever is due, then move the clock past the connection's retry interval."""
    await worker_for(shop, handler).run_until_idle()
    shop.clock.advance(INTERVAL)


async def test_three_failures_in_a_row_notify_once_and_the_last_one_once_more(
    shop: Shop,
) -> None:
    connection_id = await shop.connection(
        settings={"retry_interval_seconds": INTERVAL, "max_retries": 4}
    )
    job_id = await shop.job(connection_id=connection_id)
    started = shop.clock.now()
    handler = Scripted(BAD_GATEWAY)
    seen: list[list[str]] = []
    for _ in range(6):
        await _attempt(shop, handler)
        seen.append(await shop.kinds())
    assert handler.seen == [1, 2, 3, 4, 5]  # max_retries 4: the fifth attempt is the last
    assert seen == [
        [],
        [],
        ["consecutive_failures"],
        ["consecutive_failures"],
        ["consecutive_failures", "job_failed"],
        ["consecutive_failures", "job_failed"],
    ]
    job: Job = await shop.load(Job, job_id)
    assert (job.state, job.attempts) == ("failed", 5)
    connection: Connection = await shop.load(Connection, connection_id)
    assert connection.error_count == 5
    assert connection.failing_since == started
    assert connection.last_error == BAD_GATEWAY.message
    assert connection.status == "active"
    streak, failed = await shop.notifications()
    assert streak.connection_id == connection_id
    assert streak.severity == "warning"
    assert "3 attempts in a row" in streak.message
    assert BAD_GATEWAY.message in streak.message
    assert failed.severity == "critical"
    assert "after 5 attempt(s)" in failed.message
    assert "secret-key" not in streak.message + failed.message


async def test_a_success_ends_the_streak_and_the_next_streak_is_told_again(shop: Shop) -> None:
    connection_id = await shop.connection(
        settings={"retry_interval_seconds": INTERVAL, "max_retries": 10}
    )
    handler = Scripted(BAD_GATEWAY)
    await shop.job(connection_id=connection_id)
    for _ in range(3):
        await _attempt(shop, handler)
    assert await shop.kinds() == ["consecutive_failures"]
    handler.error = None
    await _attempt(shop, handler)
    connection: Connection = await shop.load(Connection, connection_id)
    assert (connection.error_count, connection.failing_since, connection.last_error) == (
        0,
        None,
        None,
    )
    handler.error = BAD_GATEWAY
    await shop.job(connection_id=connection_id)
    for _ in range(3):
        await _attempt(shop, handler)
    assert await shop.kinds() == ["consecutive_failures", "consecutive_failures"]


async def test_refused_credentials_ask_for_reauthorisation_once(shop: Shop) -> None:
    connection_id = await shop.connection()
    handler = Scripted(AuthFailed("GET /me: 403 Incorrect credentials", status=403))
    first = await shop.job(connection_id=connection_id)
    await _attempt(shop, handler)
    second = await shop.job(connection_id=connection_id)
    await _attempt(shop, handler)
    assert [(await shop.load(Job, j)).state for j in (first, second)] == ["failed", "failed"]
    connection: Connection = await shop.load(Connection, connection_id)
    assert (connection.status, connection.error_count) == ("reauth_required", 2)
    [notice] = await shop.notifications()
    assert (notice.kind, notice.severity, notice.title) == (
        "reauth_required",
        "critical",
        "Reconnect cin7",
    )
    handler.error = None
    await shop.job(connection_id=connection_id)
    await _attempt(shop, handler)
    connection = await shop.load(Connection, connection_id)
    assert (connection.status, connection.error_count) == ("active", 0)


async def test_a_reconnected_connection_refused_again_asks_again(shop: Shop) -> None:
    connection_id = await shop.connection()
    handler = Scripted(AuthFailed("GET /me: 403 Incorrect credentials", status=403))
    await shop.job(connection_id=connection_id)
    await _attempt(shop, handler)
    async with shop.hub.uows.begin() as uow:  # what reconnecting does: new keys, count zero
        connection = await uow.session.get(Connection, connection_id)
        assert connection is not None
        connection.status, connection.error_count = "active", 0
        await uow.commit()
    await shop.job(connection_id=connection_id)
    await _attempt(shop, handler)
    assert await shop.kinds() == ["reauth_required", "reauth_required"]


async def test_throttling_is_not_a_failure_of_the_connection_and_its_wait_wins(
    shop: Shop,
) -> None:
    connection_id = await shop.connection(settings={"retry_interval_seconds": INTERVAL})
    job_id = await shop.job(connection_id=connection_id)
    handler = Scripted(Throttled("GET /product: 429", status=429, wait_seconds=17))
    for _ in range(4):
        before = shop.clock.now()
        await _attempt(shop, handler)
    assert handler.calls == 4
    job: Job = await shop.load(Job, job_id)
    assert job.next_attempt_at == before + dt.timedelta(seconds=17)
    connection: Connection = await shop.load(Connection, connection_id)
    assert (connection.error_count, connection.failing_since) == (0, None)
    assert await shop.kinds() == []


@pytest.mark.parametrize(
    ("connection_settings", "delay"),
    [
        ({}, 300),
        ({"retry_interval_seconds": 30}, 30),
        ({"retry_interval_seconds": "soon"}, 300),
        ({"max_retries": 0}, None),
    ],
)
async def test_the_retry_schedule_is_the_connections_own(
    shop: Shop, connection_settings: dict[str, Any], delay: int | None
) -> None:
    connection_id = await shop.connection(settings=connection_settings)
    job_id = await shop.job(connection_id=connection_id)
    before = shop.clock.now()
    await worker_for(shop, Scripted(BAD_GATEWAY)).run_until_idle()
    job: Job = await shop.load(Job, job_id)
    if delay is None:
        assert job.state == "failed"
    else:
        assert job.state == "retry"
        assert job.next_attempt_at == before + dt.timedelta(seconds=delay)


async def test_a_job_without_a_connection_only_tells_its_final_failure(shop: Shop) -> None:
    handler = Scripted(Permanent("POST /hook: 400 bad body"))
    await shop.job(connection_id=None)
    await shop.job(connection_id=None, tenant=False)
    await _attempt(shop, handler)
    assert handler.calls == 2
    assert await shop.kinds() == ["job_failed"]
    assert await shop.count(Notification) == 1


async def test_the_hubs_own_worker_carries_the_health_hooks(shop: Shop) -> None:
    connection_id = await shop.connection()
    async with shop.hub.uows.begin() as uow:
        job = Job(
            kind="nobody.handles_this",
            idempotency_key="k",
            payload={},
            tenant_id=shop.tenant_id,
            connection_id=connection_id,
            next_attempt_at=uow.now,
            created_at=uow.now,
        )
        uow.session.add(job)
        await uow.commit()
    await shop.hub.create_worker().run_until_idle()
    assert await shop.kinds() == ["job_failed"]
    connection: Connection = await shop.load(Connection, connection_id)
    assert connection.error_count == 1


async def test_notifications_stay_with_their_tenant(shop: Shop) -> None:
    other = await create_tenant(shop.hub.uows, name="Other Shop")
    connection_id = await shop.connection(settings={"retry_interval_seconds": INTERVAL})
    await shop.job(connection_id=connection_id)
    for _ in range(3):
        await _attempt(shop, Scripted(BAD_GATEWAY))
    [notice] = await shop.notifications()
    assert notice.tenant_id == shop.tenant_id != other.tenant_id


@pytest.mark.parametrize(
    ("connection_settings", "expected"),
    [
        ({}, RetryPolicy(delays=(300.0,) * 12)),
        ({"retry_interval_seconds": 5, "max_retries": 2}, RetryPolicy(delays=(5.0, 5.0))),
        (
            {"throttle_base_seconds": 1, "throttle_cap_seconds": 40},
            RetryPolicy(delays=(300.0,) * 12, throttle_base=1.0, throttle_cap=40.0),
        ),
        ({"max_retries": -1, "retry_interval_seconds": True}, RetryPolicy(delays=(300.0,) * 12)),
    ],
)
def test_a_policy_is_read_from_connection_settings(
    connection_settings: dict[str, Any], expected: RetryPolicy
) -> None:
    assert policy_from_settings(connection_settings) == expected
