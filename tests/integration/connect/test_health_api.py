"""GET /api/cin7/health: the connection, its webhooks, rate-limit use and jobs, cached 30 s."""

from __future__ import annotations

import datetime as dt

from tests.integration.connect.conftest import SKU, Shop
from tillsync.clock import FakeClock
from tillsync.connectors.cin7.provider import WEBHOOK_TYPES
from tillsync.emulators.cin7.faults import FaultRule
from tillsync.services.connections.health import HealthCache

SALE = {
    "action": "RECORD_SALE",
    "saleId": "POS-1",
    "items": [{"sku": SKU, "quantity": 1, "price": 29.99}],
}


async def test_a_tenant_without_cin7_is_told_so(shop: Shop) -> None:
    answer = await shop.pos.get("/api/cin7/health")
    assert answer.status_code == 200
    body = answer.json()
    assert body["connected"] is False
    assert body["healthy"] is False
    assert body["status"] == "not_connected"
    assert body["problems"] == ["CIN7 is not connected"]


async def test_a_synced_connection_is_healthy_with_its_webhooks_rate_use_and_jobs(
    shop: Shop,
) -> None:
    await shop.connect()
    await shop.run_jobs()
    body = (await shop.pos.get("/api/cin7/health")).json()
    assert body["connected"] is True
    assert body["healthy"] is True, body["problems"]
    assert body["status"] == "active"
    assert body["lastSuccessfulSync"] is not None
    assert sorted(hook["type"] for hook in body["webhooks"]) == sorted(WEBHOOK_TYPES)
    assert {hook["status"] for hook in body["webhooks"]} == {"active"}
    calls = [
        call for call in shop.cin7.calls if call.application_key == shop.account.application_key
    ]
    assert body["rateLimit"]["limit"] == 60
    assert body["rateLimit"]["used"] == len(calls)  # every call CIN7 saw took a grant
    assert body["jobs"] == {
        "pending": 0,
        "running": 0,
        "retrying": 0,
        "failed": 0,
        "failedRecently": 0,
    }
    assert body["cached"] is False


async def test_pending_and_failed_jobs_and_a_failed_webhook_make_it_unhealthy(
    shop: Shop,
) -> None:
    shop.cin7.faults.add_rule(
        FaultRule(method="POST", path="/webhooks", action="fail_before", status=400, times=1)
    )
    await shop.connect()  # the first webhook type is refused, the others register
    await shop.run_jobs()
    assert (await shop.pos.post("/api/cin7/sale-sync", json=SALE)).status_code == 200
    body = (await shop.pos.get("/api/cin7/health")).json()
    assert body["jobs"]["pending"] == 1
    failed_hooks = [hook for hook in body["webhooks"] if hook["status"] == "failed"]
    assert [hook["type"] for hook in failed_hooks] == [WEBHOOK_TYPES[0]]
    assert failed_hooks[0]["error"]
    assert body["healthy"] is False
    assert f"webhook {WEBHOOK_TYPES[0]} is failed" in body["problems"]


async def test_a_failed_job_makes_it_unhealthy(shop: Shop) -> None:
    await shop.connect()
    await shop.run_jobs()
    shop.cin7.faults.add_rule(
        FaultRule(method="POST", path="/sale", action="fail_before", status=400, times=None)
    )
    assert (await shop.pos.post("/api/cin7/sale-sync", json=SALE)).status_code == 200
    await shop.run_jobs()
    body = (await shop.pos.get("/api/cin7/health")).json()
    assert body["jobs"]["pending"] == 0
    assert body["jobs"]["failed"] == 1
    assert body["jobs"]["failedRecently"] == 1
    assert body["healthy"] is False
    assert "1 job(s) failed in the last 24 hours" in body["problems"]


async def test_answers_are_cached_30_seconds_per_tenant_and_credential_changes_forget_them(
    shop: Shop,
) -> None:
    await shop.connect()
    await shop.run_jobs()
    first = (await shop.pos.get("/api/cin7/health")).json()
    assert (await shop.pos.post("/api/cin7/sale-sync", json=SALE)).status_code == 200
    second = (await shop.pos.get("/api/cin7/health")).json()
    assert second["cached"] is True
    assert second["checkedAt"] == first["checkedAt"]
    assert second["jobs"] == first["jobs"]  # the new push job is not seen yet

    async with shop.hub.tenant("Another Shop") as other:  # one cache entry per tenant
        assert (await other.http.get("/api/cin7/health")).json()["connected"] is False

    assert (await shop.pos.delete("/api/cin7/credentials")).status_code == 200
    after = (await shop.pos.get("/api/cin7/health")).json()
    assert after["cached"] is False
    assert after["connected"] is False


async def test_the_cache_expires_after_30_seconds(shop: Shop) -> None:
    await shop.connect()
    clock = FakeClock(dt.datetime.now(dt.UTC))
    cache = HealthCache(clock, "cin7")
    services = shop.hub.hub.services
    first = await cache.get(services, shop.tenant_id)
    clock.advance(29)
    assert (await cache.get(services, shop.tenant_id)).cached is True
    clock.advance(2)
    assert (await cache.get(services, shop.tenant_id)).cached is False
    assert first.cached is False
