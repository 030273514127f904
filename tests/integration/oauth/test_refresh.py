"""Tokens kept fresh: ahead of expiry by the scheduled duty, once after a 401, and a revoked
grant told once as `reauth_required`."""

from __future__ import annotations

import datetime as dt

from tests.support.tally_world import TallyWorld
from tillsync.services.health import REAUTH

REFRESH = "tally.refresh_token"
INVOICE = "tally.create_invoice"


async def test_a_token_is_refreshed_ahead_of_its_expiry_and_not_before(
    world: TallyWorld,
) -> None:
    await world.connect()  # a token for an hour; Tally's are refreshed 30 minutes ahead
    before = await world.connection()
    assert before is not None
    assert before.token_expires_at is not None

    await world.work()
    assert world.tally.refreshes == 0
    assert not await world.jobs(REFRESH)

    world.tally.lifetime = dt.timedelta(hours=2)
    world.clock.skip(31 * 60)
    await world.work()

    assert world.tally.refreshes == 1
    [job] = await world.jobs(REFRESH)
    assert job.state == "success"
    after = await world.connection()
    assert after is not None
    assert after.token_expires_at is not None
    assert after.token_expires_at > before.token_expires_at + dt.timedelta(minutes=30)
    newest = list(world.tally.access)[-1]
    assert world.hub.services.vault.open_json(after.credentials)["access_token"] == newest
    await world.work()
    assert world.tally.refreshes == 1  # the new token is not due


async def test_a_401_refreshes_the_token_once_and_the_call_then_succeeds(
    world: TallyWorld,
) -> None:
    await world.connect()
    world.tally.expire_access_tokens()

    await world.sell("S-401")
    await world.work()

    assert world.tally.refused == 1
    assert world.tally.refreshes == 1
    assert [invoice["reference"] for invoice in world.tally.invoices] == ["S-401"]
    [job] = await world.jobs(INVOICE)
    assert job.state == "success"
    assert job.attempts == 1
    connection = await world.connection()
    assert connection is not None
    assert connection.status == "active"


async def test_a_revoked_grant_fails_the_job_once_told_as_reauth_required(
    world: TallyWorld,
) -> None:
    await world.connect()
    world.tally.revoke_grants()

    await world.sell("S-REVOKED-1")
    await world.work()
    await world.sell("S-REVOKED-2")
    await world.work()

    jobs = await world.jobs(INVOICE)
    assert [job.state for job in jobs] == ["failed", "failed"]
    assert world.tally.refreshes == 0
    assert not world.tally.invoices
    connection = await world.connection()
    assert connection is not None
    assert connection.status == REAUTH
    notices = await world.notifications()
    assert [notice.kind for notice in notices] == [REAUTH]


async def test_a_refresh_the_provider_refuses_puts_the_connection_in_reauth_required_once(
    world: TallyWorld,
) -> None:
    await world.connect()
    world.tally.revoke_grants()
    world.clock.skip(31 * 60)

    await world.work()
    await world.work()

    [job] = await world.jobs(REFRESH)
    assert job.state == "failed"
    connection = await world.connection()
    assert connection is not None
    assert connection.status == REAUTH
    assert [notice.kind for notice in await world.notifications()] == [REAUTH]


async def test_connecting_again_after_reauth_makes_the_connection_active(
    world: TallyWorld,
) -> None:
    await world.connect()
    world.tally.revoke_grants()
    world.clock.skip(31 * 60)
    await world.work()

    answer = await world.connect()

    assert answer["data"]["status"] == "active"
    world.clock.skip(-31 * 60)
    await world.sell("S-BACK")
    await world.work()
    assert [invoice["reference"] for invoice in world.tally.invoices] == ["S-BACK"]


async def test_a_token_endpoint_that_is_down_is_retried_not_taken_for_a_lost_grant(
    world: TallyWorld,
) -> None:
    await world.connect()
    world.tally.expire_access_tokens()
    world.tally.token_outages = 1

    await world.sell("S-OUTAGE")
    await world.work()
    [job] = await world.jobs(INVOICE)
    assert job.state == "retry"
    connection = await world.connection()
    assert connection is not None
    assert connection.status == "active"
    assert connection.refresh_lease_until is None

    world.clock.skip(301)  # the connection retries every 5 minutes
    await world.work()

    [job] = await world.jobs(INVOICE)
    assert job.state == "success"
    assert world.tally.refreshes == 1
    assert [invoice["reference"] for invoice in world.tally.invoices] == ["S-OUTAGE"]
    assert not [n for n in await world.notifications() if n.kind == REAUTH]
