"""The syncs page: a panel per connected warehouse, its buttons, a pull's progress, drift reports.

The hub's registry here has two warehouses (CIN7 and the tests' Depot) and a CRM, so the
page is seen to follow the registry, not a list of its own.
"""

import html
import re
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select, update

from tests.support.dashboard import Visitor, visiting
from tests.support.depot import PROVIDER as DEPOT
from tests.support.hubs import RunningHub
from tests.support.sync_panels import (
    not_pulling,
    panel_of,
    press,
    pulling_providers,
    pulls_of,
    runs_of,
    shop_connected_to,
)
from tests.support.world import SKU, open_world
from tillsync.api.app import create_app
from tillsync.config import Settings
from tillsync.providers import default_providers
from tillsync.serving import serve
from tillsync.store.tables import Job, Run, StockLevel

FAST = {"rate_limit": {"calls": 100_000, "window_seconds": 1}}
BUTTONS = [
    ("quick", "Smart sync", "Quick sync"),
    ("full", "Force sync", "Full sync"),
    ("reconcile", "Reconcile", "Reconciliation"),
]
"""Each button's mode, its label, and what its run is called."""


@pytest.fixture
async def served(settings: Settings) -> AsyncIterator[RunningHub]:
    app = create_app(settings, providers=default_providers().adding(DEPOT))
    async with serve(app) as url:
        yield RunningHub(url=url, hub=app.state.hub)


@pytest.fixture
async def visitor(served: RunningHub) -> AsyncIterator[Visitor]:
    async with visiting(served.url) as opened:
        yield opened


async def test_each_connected_warehouse_has_its_panel_and_nothing_else_has_one(
    served: RunningHub, visitor: Visitor
) -> None:
    *connected, left_out = pulling_providers(served)
    assert connected
    shop = await shop_connected_to(served, "Fade Factory", *connected, not_pulling(served))
    await visitor.sign_in(shop.api_key)
    page = await visitor.page("/syncs")
    text = html.unescape(page.text)

    assert page.status_code == 200
    assert 'aria-current="page">Syncs' in text
    for provider in connected:
        panel = panel_of(text, provider.name)
        assert provider.title in panel
        assert f"Fade Factory at {provider.title}" in panel
        for _, button, _ in BUTTONS:
            assert f">{button}</button>" in panel
        assert 'data-entity="catalog" class="needs-sync"' in panel  # never synced
        assert 'data-entity="reconciliation" class="needs-sync"' in panel
        assert "hx-trigger" not in panel  # nothing runs: no polling
        assert "No sync has run yet" in panel
    assert f'id="sync-{left_out.name}"' not in text
    assert f"PUT /api/connections/{left_out.name}" in text  # named as not connected
    assert f'id="sync-{not_pulling(served).name}"' not in text  # nothing to pull from it


@pytest.mark.parametrize(("mode", "button", "run"), BUTTONS)
async def test_a_button_queues_a_pull_of_its_mode_and_the_panel_follows_it(
    served: RunningHub, visitor: Visitor, mode: str, button: str, run: str
) -> None:
    pullers = pulling_providers(served)
    shop = await shop_connected_to(served, "Fade Factory", *pullers)
    target = pullers[-1]
    await visitor.sign_in(shop.api_key)
    before = panel_of(html.unescape((await visitor.page("/syncs")).text), target.name)
    forms = re.findall(
        rf'<form method="post" action="/syncs/{target.name}/sync".*?</form>', before, re.S
    )
    (form,) = [form for form in forms if f">{button}</button>" in form]
    assert f'name="mode" value="{mode}"' in form  # the button's form asks for its mode

    status, _ = await press(visitor, target.name, mode)
    assert status == 303
    assert await pulls_of(served, shop.tenant_id) == [(target.name, mode, mode, "manual")]
    panel = panel_of(html.unescape((await visitor.page(f"/syncs/{target.name}")).text), target.name)
    assert re.search(
        rf'class="run-progress"[^>]*data-status="queued"[^>]*data-mode="{mode}"', panel
    )
    assert f"<strong>{run}</strong>" in panel
    assert 'hx-trigger="every 1s"' in panel  # polled while it runs
    other = panel_of(html.unescape((await visitor.page("/syncs")).text), pullers[0].name)
    assert "run-progress" not in other


async def test_a_button_is_refused_while_a_pull_of_its_mode_is_under_way_as_the_api_is(
    served: RunningHub, visitor: Visitor
) -> None:
    target = pulling_providers(served)[0]
    shop = await shop_connected_to(served, "Fade Factory", target)
    await visitor.sign_in(shop.api_key)
    assert (await press(visitor, target.name, "full"))[0] == 303

    for htmx in (False, True):
        status, text = await press(visitor, target.name, "full", htmx=htmx)
        assert status == 409
        refusal = panel_of(text, target.name).split('class="refusal"', 1)[1]
        assert "Force sync refused: a full sync is already queued or running" in refusal
    headers = {"Authorization": f"Bearer {shop.api_key}"}
    async with httpx.AsyncClient(base_url=served.url, headers=headers) as api:
        by_api = await api.post(f"/api/connections/{target.name}/sync", json={"mode": "full"})
    assert by_api.status_code == 409
    assert (await press(visitor, target.name, "quick"))[0] == 303  # another mode is not
    assert [mode for _, mode, _, _ in await pulls_of(served, shop.tenant_id)] == ["full", "quick"]


async def test_a_pull_under_way_shows_its_pages_and_rows_then_its_outcome(
    served: RunningHub, visitor: Visitor
) -> None:
    target = pulling_providers(served)[0]
    shop = await shop_connected_to(served, "Fade Factory", target)
    await visitor.sign_in(shop.api_key)
    await press(visitor, target.name, "full")
    async with served.hub.uows.begin() as uow:  # as a worker leaves it after three pages
        run = await uow.session.scalar(select(Run).where(Run.tenant_id == shop.tenant_id))
        assert run is not None
        run.status = "running"
        checkpoint = {
            "run_id": run.id,
            "mode": "full",
            "phase": "stock",
            "page_size": 10,
            "products_total": 25,
            "stock_total": 15,
            "pages": 3,
            "products": 25,
            "rows": 5,
        }
        await uow.session.execute(
            update(Job).where(Job.id == run.job_id).values(state="syncing", checkpoint=checkpoint)
        )
        await uow.commit()

    panel = panel_of(html.unescape((await visitor.page("/syncs")).text), target.name)
    assert 'data-status="running"' in panel
    assert "reading stock" in panel
    assert '<progress max="5" value="3">' in panel
    assert "3 of 5 pages" in panel
    assert "25 products, 5 stock rows read" in panel

    async with served.hub.uows.begin() as uow:
        await uow.session.execute(
            update(Run)
            .where(Run.id == run.id)
            .values(
                status="success", pages=5, items_synced=40, completed_at=uow.now, duration_ms=2400
            )
        )
        await uow.session.execute(update(Job).where(Job.id == run.job_id).values(state="success"))
        await uow.commit()
    panel = panel_of(html.unescape((await visitor.page(f"/syncs/{target.name}")).text), target.name)
    assert "run-progress" not in panel
    assert "hx-trigger" not in panel  # the polling ends with the pull
    assert f'<tr data-run-id="{run.id}" data-status="success">' in panel
    assert "2.4 s" in panel


@pytest.mark.parametrize("token", ["missing", "", "forged-token", "another session's"])
async def test_a_button_without_the_sessions_csrf_token_is_refused(
    served: RunningHub, visitor: Visitor, token: str
) -> None:
    target = pulling_providers(served)[0]
    shop = await shop_connected_to(served, "Fade Factory", target)
    await visitor.sign_in(shop.api_key)
    if token == "another session's":
        async with visiting(served.url) as other:
            await other.sign_in(shop.api_key)
            token = await other.csrf("/syncs")
    if token == "missing":
        answer = await visitor.http.post(f"/syncs/{target.name}/sync", data={"mode": "full"})
    else:
        answer = await visitor.http.post(
            f"/syncs/{target.name}/sync", data={"mode": "full", "csrf_token": token}
        )
    assert (answer.status_code, answer.json()["field"]) == (403, "csrf_token")
    assert await pulls_of(served, shop.tenant_id) == []


async def test_another_tenant_sees_none_of_it(served: RunningHub, visitor: Visitor) -> None:
    target = pulling_providers(served)[0]
    ours = await shop_connected_to(served, "Fade Factory", target)
    theirs = await shop_connected_to(served, "Corner Cuts")
    await visitor.sign_in(ours.api_key)
    await press(visitor, target.name, "reconcile")
    (run_id,) = [run.id for run in await runs_of(served, ours.tenant_id)]

    async with visiting(served.url) as other:
        await other.sign_in(theirs.api_key)
        page = html.unescape((await other.page("/syncs")).text)
        assert 'id="sync-' not in page
        assert "Fade Factory" not in page
        assert (await other.page(f"/syncs/{target.name}")).status_code == 404
        report = await other.page(f"/syncs/{target.name}/reports/{run_id}")
        assert (report.status_code, report.json()["field"]) == (404, "id")
        listed = html.unescape((await other.page(f"/syncs/{target.name}/reports")).text)
        assert run_id not in listed
        assert "No reconciliation has run yet" in listed
        status, _ = await press(other, target.name, "full")
        assert status == 404
    assert await pulls_of(served, theirs.tenant_id) == []
    assert len(await pulls_of(served, ours.tenant_id)) == 1


@pytest.mark.parametrize(
    ("method", "path", "data", "status", "field"),
    [
        ("POST", "/syncs/{puller}/sync", {"mode": "everything"}, 422, "mode"),
        ("POST", "/syncs/{puller}/sync", {}, 422, "mode"),
        ("POST", "/syncs/nowhere/sync", {"mode": "full"}, 404, "provider"),
        ("POST", "/syncs/{other}/sync", {"mode": "full"}, 404, "provider"),
        ("GET", "/syncs/{other}", None, 404, "provider"),
        ("GET", "/syncs/Not-A-Name", None, 422, "path.provider"),
        ("GET", "/syncs/{puller}/reports?page=0", None, 422, "query.page"),
        ("GET", "/syncs/{puller}/reports/not-an-id", None, 422, "path.report_id"),
        ("GET", "/syncs/{puller}/reports/" + "0" * 36, None, 404, "id"),
    ],
)
async def test_bad_values_are_refused_naming_the_field(
    served: RunningHub,
    visitor: Visitor,
    *,
    method: str,
    path: str,
    data: dict[str, str] | None,
    status: int,
    field: str,
) -> None:
    puller = pulling_providers(served)[0]
    shop = await shop_connected_to(served, "Fade Factory", puller, not_pulling(served))
    await visitor.sign_in(shop.api_key)
    url = path.format(puller=puller.name, other=not_pulling(served).name)
    if method == "POST":
        token = await visitor.csrf("/syncs")
        answer = await visitor.http.post(url, data={**(data or {}), "csrf_token": token})
    else:
        answer = await visitor.http.get(url)
    assert (answer.status_code, answer.json()["field"]) == (status, field)


async def test_a_reconciliations_drift_report_shows_each_difference(settings: Settings) -> None:
    async with open_world(settings, connection_settings=FAST) as world:
        hub = world.hub.hub
        async with hub.uows.begin() as uow:  # a lost delivery: the hub holds a stale figure
            await uow.session.execute(
                update(StockLevel)
                .where(StockLevel.sku == SKU)
                .values(warehouse_available=99, warehouse_on_hand=99)
            )
            await uow.commit()
        provider = hub.services.providers.get("cin7")
        async with visiting(world.hub.url) as visitor:
            await visitor.sign_in(world.pos.headers["Authorization"].removeprefix("Bearer "))
            assert (await press(visitor, provider.name, "reconcile"))[0] == 303
            await hub.create_worker().run_until_idle()
            (report_id,) = [
                run.id
                for run in await runs_of(world.hub, world.tenant_id)
                if run.entity == "reconciliation"
            ]
            panel = panel_of(html.unescape((await visitor.page("/syncs")).text), provider.name)
            listed = html.unescape((await visitor.page(f"/syncs/{provider.name}/reports")).text)
            shown = await visitor.page(f"/syncs/{provider.name}/reports/{report_id}")
    assert f'<tr data-run-id="{report_id}" data-status="success">' in panel
    assert f'href="/syncs/{provider.name}/reports/{report_id}">2 / 2</a>' in panel
    assert f'<tr data-report-id="{report_id}" data-status="success">' in listed
    assert shown.status_code == 200
    text = html.unescape(shown.text)
    assert "2 found, 2 repaired" in text
    rows = re.findall(
        r'<tr data-kind="(\w+)" data-sku="([^"]*)" data-location="([^"]*)" data-field="(\w+)">'
        r'.*?class="num hub-value">([^<]*)<.*?class="num provider-value">([^<]*)<'
        r'.*?class="done"><span class="pill [\w-]+">([^<]+)<',
        text,
        re.S,
    )
    assert sorted(rows) == [
        ("stock", SKU, "Main Warehouse", "available", "99", "20", "repaired"),
        ("stock", SKU, "Main Warehouse", "on_hand", "99", "20", "repaired"),
    ]
    assert f'<th class="num">{provider.title} value</th>' in text
