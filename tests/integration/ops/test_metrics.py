"""GET /metrics: Prometheus's text format, read with its own parser, after real traffic."""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tests.support.metrics import scrape
from tests.support.world import SKU, World, open_world
from tillsync.config import Settings
from tillsync.emulators.cin7.faults import FaultRule
from tillsync.services.connections.registrations import webhook_secret
from tillsync.store.tables import Connection, Tenant

SALE_SYNC = "/api/cin7/sale-sync"
PUSH = "cin7.push_sale"


@pytest.fixture
async def world(settings: Settings) -> AsyncIterator[World]:
    """CIN7 sends no webhooks of its own here: the test's delivery is the only one."""
    async with open_world(settings, webhooks=False) as opened:
        yield opened


@pytest.fixture
async def operator(world: World) -> AsyncIterator[httpx.AsyncClient]:
    """Prometheus, or an operator: no tenant key."""
    async with httpx.AsyncClient(base_url=world.hub.url, timeout=30) as client:
        yield client


async def _cin7_connection(world: World) -> Connection:
    async with world.hub.hub.uows.read() as session:
        connection = await session.scalar(
            select(Connection).where(Connection.tenant_id == world.tenant_id)
        )
    assert connection is not None
    return connection


async def _deliver_stock_webhook(world: World) -> None:
    connection = await _cin7_connection(world)
    secret = webhook_secret(world.hub.hub.services, connection)
    row = {"ID": "p1", "SKU": SKU, "Name": "Tomb45", "Location": "Main Warehouse", "Bin": ""}
    row |= {"Batch": "", "OnHand": 7, "Allocated": 0, "Available": 7}
    async with httpx.AsyncClient(base_url=world.hub.url) as provider:
        answer = await provider.post(
            "/api/cin7/webhook",
            params={"connection": connection.id},
            json=[row],
            headers={"Authorization": f"Bearer {secret}"},
        )
    assert answer.status_code == 202, answer.text


async def _run_jobs(world: World) -> None:
    await world.hub.hub.create_worker().run_until_idle()


async def test_a_sale_a_push_a_webhook_and_a_failed_job_are_each_counted(
    world: World, operator: httpx.AsyncClient
) -> None:
    before = await scrape(operator)
    check = {"action": "CHECK_INVENTORY", "sku": SKU, "quantity": 1}
    assert (await world.pos.post(SALE_SYNC, json=check)).status_code == 200
    await world.sell("OPS-1", quantity=1)
    queued = await scrape(operator)
    await _run_jobs(world)  # the push
    pushed = await scrape(operator)
    await _deliver_stock_webhook(world)
    received = await scrape(operator)
    await _run_jobs(world)
    world.state.faults.add_rule(
        FaultRule(method="POST", path="/sale", action="fail_before", status=400, times=None)
    )
    await world.sell("OPS-2", quantity=1)
    await _run_jobs(world)  # CIN7 refuses the second sale: the job fails for good
    after = await scrape(operator)

    assert after.value("tillsync_database_up") == 1
    # the sales, their requests under the route's template, and the stock check
    assert after.value("tillsync_sales_total", source="pos") == 2
    assert before.value("tillsync_sales_total", source="pos") == 0
    request = {"method": "POST", "route": SALE_SYNC}
    assert after.value("tillsync_http_requests_total", **request, status="200") == 3
    assert after.value("tillsync_http_request_duration_seconds_count", **request) == 3
    assert after.value("tillsync_stock_checks_total", available="true") == 1
    # the push: a due job while queued, then calls to CIN7 and a successful attempt
    assert queued.value("tillsync_jobs", kind=PUSH, state="pending") == 1
    assert queued.has("tillsync_job_oldest_due_seconds")
    calls = {"provider": "cin7", "outcome": "success"}
    assert pushed.value("tillsync_provider_calls_total", **calls) > queued.value(
        "tillsync_provider_calls_total", **calls
    )
    assert pushed.value("tillsync_job_run_seconds_count", kind=PUSH, outcome="success") == 1
    assert pushed.value("tillsync_jobs", kind=PUSH, state="success") == 1
    assert pushed.value("tillsync_job_oldest_due_seconds") == 0
    assert pushed.value("tillsync_rate_budget_use_ratio", provider="cin7") > 0
    # the webhook: kept as received, with its lag, then applied
    assert received.value("tillsync_webhook_deliveries", provider="cin7", status="received") == 1
    assert received.has("tillsync_webhook_inbox_lag_seconds", provider="cin7")
    assert after.value("tillsync_webhook_deliveries", provider="cin7", status="processed") == 1
    assert after.value("tillsync_webhook_inbox_lag_seconds", provider="cin7") == 0
    # the failed job, and CIN7's refusal as a call of its own kind
    assert after.value("tillsync_jobs", kind=PUSH, state="failed") == 1
    assert after.value("tillsync_job_run_seconds_count", kind=PUSH, outcome="permanent") == 1
    assert after.value("tillsync_provider_calls_total", provider="cin7", outcome="permanent") >= 1


async def test_a_scrape_names_no_tenant_key_or_product(
    world: World, operator: httpx.AsyncClient
) -> None:
    await world.sell("OPS-1", quantity=1)
    await _run_jobs(world)
    text = (await scrape(operator)).text
    async with world.hub.hub.uows.read() as session:
        tenant = await session.get(Tenant, world.tenant_id)
    assert tenant is not None
    connection = await _cin7_connection(world)
    api_key = world.pos.headers["Authorization"].removeprefix("Bearer ")
    private: list[Any] = [world.tenant_id, tenant.name, api_key, SKU, "OPS-1", connection.id]
    private += list(world.cin7.headers.values())  # the CIN7 account and its key
    assert [value for value in private if value in text] == []


async def test_the_per_process_families_are_there_before_any_traffic(
    world: World, operator: httpx.AsyncClient
) -> None:
    """Every family is declared even at zero, so dashboards and alerts never see a gap."""
    first = await scrape(operator)
    assert {
        "tillsync_database_up",
        "tillsync_workers",
        "tillsync_job_oldest_due_seconds",
        "process_cpu_seconds_total",
    } <= first.families()
    for family in (
        "tillsync_http_requests",
        "tillsync_provider_calls",
        "tillsync_stock_checks",
        "tillsync_job_run_seconds",
        "tillsync_sales",
        "tillsync_jobs",
    ):
        assert f"# TYPE {family}" in first.text


@pytest.mark.parametrize(
    ("sent", "status"),
    [(None, 401), ("Bearer wrong-token", 401), ("Bearer s3cret-scrape", 200)],
)
async def test_a_metrics_token_closes_the_scrape_to_anyone_without_it(
    settings: Settings, sent: str | None, status: int
) -> None:
    settings.metrics_token = "s3cret-scrape"
    async with (
        open_world(settings) as world,
        httpx.AsyncClient(base_url=world.hub.url) as operator,
    ):
        headers = {"Authorization": sent} if sent else {}
        answer = await operator.get("/metrics", headers=headers)
    assert answer.status_code == status
    if status == 401:
        assert answer.json()["field"] == "Authorization"
        assert "s3cret" not in answer.text
