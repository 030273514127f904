"""The stats page: sync success rate and warehouse lag over time against seed 004's targets,
and rate-budget use, for the signed-in tenant only."""

import datetime as dt
import html
from collections.abc import AsyncIterator

import pytest

from tests.support.dashboard import visiting
from tests.support.hubs import RunningHub, running_hub
from tests.support.jobs import add_connection, add_job, add_sale
from tillsync.clock import FakeClock
from tillsync.config import Settings
from tillsync.connectors.contract import Provider
from tillsync.services.history import SALE_SUBJECT
from tillsync.services.tenants import create_tenant
from tillsync.store.tables import Connection
from tillsync.store.uow import UnitsOfWork

T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
"""When `add_sale`'s sales arrive."""
NOW = T0 + dt.timedelta(minutes=50)


@pytest.fixture
async def clocked(settings: Settings) -> AsyncIterator[RunningHub]:
    async with running_hub(settings, clock=FakeClock(NOW)) as running:
        yield running


def _warehouse(served: RunningHub) -> Provider:
    return next(p for p in served.hub.services.providers if "warehouse" in p.roles)


async def _finished(
    uows: UnitsOfWork, tenant_id: str, connection_id: str, *, state: str, minutes: float
) -> str:
    return await add_job(
        uows,
        kind="test.push",
        tenant_id=tenant_id,
        connection_id=connection_id,
        state=state,
        completed_at=T0 + dt.timedelta(minutes=minutes),
    )


async def _pushed(
    uows: UnitsOfWork, tenant_id: str, connection_id: str, provider: str, *, seconds: float
) -> None:
    """A POS sale (arrived at T0) that the warehouse took `seconds` later."""
    sale_id = await add_sale(uows, tenant_id, f"SALE-{seconds}")
    await add_job(
        uows,
        kind=f"{provider}.push_sale",
        tenant_id=tenant_id,
        connection_id=connection_id,
        subject=SALE_SUBJECT + sale_id,
        state="success",
        completed_at=T0 + dt.timedelta(seconds=seconds),
    )


async def _stats_page(served: RunningHub, api_key: str, **params: str) -> str:
    async with visiting(served.url) as visitor:
        await visitor.sign_in(api_key)
        answer = await visitor.page("/stats", **params)
    assert answer.status_code == 200, answer.text
    return html.unescape(answer.text)


def _section(text: str, section: str) -> str:
    return text.split(f'id="{section}"', 1)[1].split("</section>", 1)[0]


async def test_the_success_rate_is_drawn_per_step_against_the_target(
    clocked: RunningHub,
) -> None:
    uows = clocked.hub.uows
    tenant = await create_tenant(uows, name="Fade Factory")
    warehouse = _warehouse(clocked)
    connection = await add_connection(uows, tenant.tenant_id, provider=warehouse.name)
    for state, minutes in [("success", 1), ("failed", 2), ("success", 3), ("success", 4)]:
        await _finished(uows, tenant.tenant_id, connection, state=state, minutes=minutes)
    await _finished(uows, tenant.tenant_id, connection, state="success", minutes=12)
    await _finished(uows, tenant.tenant_id, connection, state="retry", minutes=13)  # not done
    await _finished(uows, tenant.tenant_id, connection, state="success", minutes=-120)  # before

    text = _section(await _stats_page(clocked, tenant.api_key, range="1h"), "success-rate")
    # 09:00-09:05 holds 3 of 4; 09:10-09:15 holds 1 of 1; the steps are drawn at their middles
    assert f"{warehouse.title}, 01 Mar 09:02 UTC: 75.0 %" in text
    assert f"{warehouse.title}, 01 Mar 09:12 UTC: 100.0 %" in text
    assert text.count('class="point"') == 2  # a step where nothing finished is a gap, not 0 %
    assert 'class="target"' in text
    assert "target &gt; 95 %" in text or "target > 95 %" in text
    assert "80.0 %</span>\n      of 5 finished jobs (1 failed)" in text
    assert "No job has finished" not in text


async def test_the_warehouse_lag_shows_the_median_and_95th_percentile(
    clocked: RunningHub,
) -> None:
    uows = clocked.hub.uows
    tenant = await create_tenant(uows, name="Fade Factory")
    warehouse = _warehouse(clocked)
    connection = await add_connection(uows, tenant.tenant_id, provider=warehouse.name)
    for seconds in (2, 4, 30):
        await _pushed(uows, tenant.tenant_id, connection, warehouse.name, seconds=seconds)

    text = _section(await _stats_page(clocked, tenant.api_key, range="1h"), "warehouse-lag")
    assert f"{warehouse.title}, 95th percentile, 01 Mar 09:02 UTC: 30 s" in text
    assert f"{warehouse.title}, median, 01 Mar 09:02 UTC: 4 s" in text
    assert "3 sales pushed" in text
    assert "66.7 %</span> within 10 s" in text
    assert "target &lt; 10 s for 95 %" in text or "target < 10 s for 95 %" in text


async def test_a_sale_pushed_in_a_batch_counts_when_its_batch_succeeded(
    clocked: RunningHub,
) -> None:
    uows = clocked.hub.uows
    tenant = await create_tenant(uows, name="Fade Factory")
    warehouse = _warehouse(clocked)
    connection = await add_connection(uows, tenant.tenant_id, provider=warehouse.name)
    batch = await add_job(
        uows,
        kind=f"{warehouse.name}.push_batch",
        tenant_id=tenant.tenant_id,
        connection_id=connection,
        state="success",
        completed_at=T0 + dt.timedelta(seconds=8),
    )
    sale_id = await add_sale(uows, tenant.tenant_id, "SALE-BATCHED")
    await add_job(
        uows,
        kind=f"{warehouse.name}.push_sale",
        tenant_id=tenant.tenant_id,
        connection_id=connection,
        subject=SALE_SUBJECT + sale_id,
        state="batched",
        checkpoint={"batch_job_id": batch},
        completed_at=T0 + dt.timedelta(seconds=1),  # handed over, not yet in the warehouse
    )
    text = _section(await _stats_page(clocked, tenant.api_key, range="1h"), "warehouse-lag")
    assert f"{warehouse.title}, median, 01 Mar 09:02 UTC: 8 s" in text
    assert "1 sale pushed" in text


async def test_with_nothing_yet_each_chart_says_so(clocked: RunningHub) -> None:
    tenant = await create_tenant(clocked.hub.uows, name="New Shop")
    text = await _stats_page(clocked, tenant.api_key)
    assert "No job has finished in this period yet" in _section(text, "success-rate")
    assert "No sale has reached the warehouse in this period yet" in _section(text, "warehouse-lag")
    assert "No connection with a rate budget yet" in _section(text, "rate-budget")
    assert 'class="point"' not in text


async def test_rate_budget_use_is_drawn_against_each_connections_limit(
    clocked: RunningHub,
) -> None:
    uows = clocked.hub.uows
    tenant = await create_tenant(uows, name="Fade Factory")
    warehouse = _warehouse(clocked)
    async with uows.begin() as uow:
        uow.session.add(
            Connection(
                tenant_id=tenant.tenant_id,
                provider=warehouse.name,
                role="warehouse",
                base_url="http://127.0.0.1:1",
                credentials=clocked.hub.services.vault.seal_json(
                    {c.name: "key-0123456789" for c in warehouse.credentials}
                ),
                settings={"rate_limit": {"calls": 40, "window_seconds": 60}},
                created_at=uow.now,
                updated_at=uow.now,
            )
        )
        await uow.commit()
    text = _section(await _stats_page(clocked, tenant.api_key), "rate-budget")
    assert f">{warehouse.title}</text>" in text
    assert "0 / 40 calls per 60 s" in text
    assert 'class="bar bar-ok"' in text
    assert 'class="limit"' in text
    assert "key-0123456789" not in text


async def test_another_tenant_sees_none_of_the_figures(clocked: RunningHub) -> None:
    uows = clocked.hub.uows
    ours = await create_tenant(uows, name="Fade Factory")
    theirs = await create_tenant(uows, name="Corner Cuts")
    warehouse = _warehouse(clocked)
    connection = await add_connection(uows, ours.tenant_id, provider=warehouse.name)
    await _finished(uows, ours.tenant_id, connection, state="success", minutes=1)
    await _pushed(uows, ours.tenant_id, connection, warehouse.name, seconds=3)

    assert 'class="point"' in await _stats_page(clocked, ours.api_key, range="1h")
    text = await _stats_page(clocked, theirs.api_key, range="1h")
    assert 'class="point"' not in text
    assert "No job has finished" in text
    assert "sale pushed" not in text


@pytest.mark.parametrize("value", ["2h", "", "7D"])
async def test_an_unknown_period_is_refused_naming_it(clocked: RunningHub, value: str) -> None:
    tenant = await create_tenant(clocked.hub.uows, name="Fade Factory")
    async with visiting(clocked.url) as visitor:
        await visitor.sign_in(tenant.api_key)
        answer = await visitor.http.get("/stats", params={"range": value})
    assert answer.status_code == 422
    assert answer.json()["field"] == "query.range"
