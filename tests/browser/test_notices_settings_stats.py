"""Notifications, settings and stats in Chromium: a notice marked read, a setting refused then
saved, and the charts drawn after a sale reached the warehouse."""

import datetime as dt
import re

import httpx
import pytest
from playwright.async_api import Page, expect
from sqlalchemy import func, select

from tests.browser.conftest import DEMO_CONNECTED, screenshot, sign_in
from tests.support.world import eventually
from tillsync.connectors.outbound import tls_context
from tillsync.sandbox.runner import Sandbox
from tillsync.services.connections.settings import tenant_settings
from tillsync.services.notifications import notify
from tillsync.services.trends import span_ending, warehouse_lag
from tillsync.store.tables import Connection

pytestmark = pytest.mark.asyncio(loop_scope="module")
SKU = "TOMB45SHAVECBLCK"


async def _notify(sandbox: Sandbox, title: str, message: str, *, severity: str) -> str:
    async with sandbox.hub.uows.begin() as uow:
        notice = await notify(
            uow.session,
            tenant_id=sandbox.tenant_id,
            connection_id=None,
            kind="job_failed",
            severity=severity,
            title=title,
            message=message,
            dedupe_key=f"browser:{title}",
            now=uow.now,
            settings=sandbox.hub.settings,
        )
        await uow.commit()
    assert notice is not None
    return notice.id


async def test_a_notification_is_marked_read_and_the_count_goes_down(
    page: Page, sandbox: Sandbox
) -> None:
    await _notify(
        sandbox,
        "The CIN7 warehouse connection is failing",
        "3 attempts in a row to reach CIN7 failed. tillsync keeps retrying on the "
        "connection's schedule. Latest error: 503 Service Unavailable",
        severity="warning",
    )
    failed = await _notify(
        sandbox,
        "Sending a sale to CIN7 failed",
        "Sending a sale to CIN7 gave up after 13 attempt(s): 400 Unknown SKU "
        "(job cin7.push_sale for sale:41)",
        severity="critical",
    )
    await sign_in(page, sandbox.hub_url, sandbox.api_key)
    await page.goto(f"{sandbox.hub_url}/notifications")
    badge = page.locator("#nav a[href='/notifications'] .badge")
    await expect(badge).to_have_text("2")
    unread = page.locator("li.notice.unread")
    await expect(unread).to_have_count(2)
    await screenshot(page, "notifications")

    notice = page.locator(f'li.notice[data-id="{failed}"]')
    await notice.get_by_role("button", name=re.compile("Mark .* read")).click()
    await expect(notice).not_to_have_class(re.compile(r"\bunread\b"))
    await expect(notice.locator(".read-state")).to_contain_text("Read")
    await expect(badge).to_have_text("1")
    await expect(unread).to_have_count(1)
    await screenshot(page, "notifications-read")


async def test_a_setting_is_refused_beside_its_field_then_saved(
    page: Page, sandbox: Sandbox
) -> None:
    warehouse = next(p for p in sandbox.hub.services.providers if "warehouse" in p.roles)
    await sign_in(page, sandbox.hub_url, sandbox.api_key)
    await page.goto(f"{sandbox.hub_url}/settings")
    card = page.get_by_role("article", name=f"{warehouse.title} settings")
    await expect(card.get_by_label("Retry every")).to_have_value("5")  # the sandbox's schedule

    await card.get_by_label("Sync every").fill("0")
    await card.get_by_label("Retries").fill("4")
    await card.get_by_role("button", name=re.compile("^Save")).click()
    card = page.get_by_role("article", name=f"{warehouse.title} settings")
    problem = card.locator('[data-field="sync_interval_minutes"]')
    await expect(problem).to_contain_text("greater than 0")
    await expect(card.get_by_label("Sync every")).to_have_attribute("aria-invalid", "true")
    await screenshot(page, "settings-refused")

    await card.get_by_label("Sync every").fill("30")
    await card.get_by_role("button", name=re.compile("^Save")).click()
    card = page.get_by_role("article", name=f"{warehouse.title} settings")
    await expect(card.get_by_role("status")).to_have_text("Saved")
    await expect(card.get_by_label("Sync every")).to_have_value("30")
    await expect(card.get_by_label("Retries")).to_have_value("4")
    await expect(card.locator(".schedule")).to_contain_text("every 5 s, up to 4 times")
    await page.get_by_label("Send notifications to").fill("owner@bookbarber.test")
    await page.get_by_role("button", name="Save e-mail address").click()
    await expect(page.get_by_label("Send notifications to")).to_have_value("owner@bookbarber.test")
    await screenshot(page, "settings")

    shown = await tenant_settings(sandbox.hub.services, sandbox.tenant_id)
    stored = next(s for s in shown if s.provider == warehouse).stored
    assert (stored["sync_interval_minutes"], stored["max_retries"]) == (30.0, 4)


async def test_the_stats_page_draws_a_sale_reaching_the_warehouse(
    page: Page, sandbox: Sandbox
) -> None:
    async with httpx.AsyncClient(
        verify=tls_context(),
        base_url=sandbox.hub_url,
        headers={"Authorization": f"Bearer {sandbox.api_key}"},
        timeout=30,
    ) as pos:
        answer = await pos.post(
            "/api/cin7/sale-sync",
            json={
                "action": "RECORD_SALE",
                "saleId": "BROWSER-STATS-1",
                "items": [{"sku": SKU, "quantity": 1, "price": 29.99}],
            },
        )
        assert answer.status_code == 200, answer.text

    async def pushed() -> bool:
        now = sandbox.hub.uows.clock.now()
        span = span_ending(now, length=dt.timedelta(hours=1), step=dt.timedelta(minutes=5))
        return bool(await warehouse_lag(sandbox.hub.uows, sandbox.tenant_id, span))

    await eventually(pushed, within=60)
    await sign_in(page, sandbox.hub_url, sandbox.api_key)
    await page.goto(f"{sandbox.hub_url}/stats?range=1h")
    success = page.locator("#success-rate svg.chart")
    await expect(success.locator("line.target")).to_have_count(1)
    await expect(success.locator("circle.point").first).to_be_visible()
    lag = page.locator("#warehouse-lag")
    await expect(lag.locator("circle.point").first).to_be_visible()
    await expect(lag.locator(".summary")).to_contain_text("1 sale pushed")
    async with sandbox.hub.uows.read() as session:  # a bar per connection, none per offer
        connected = await session.scalar(
            select(func.count())
            .select_from(Connection)
            .where(Connection.tenant_id == sandbox.tenant_id)
        )
    assert connected == len(DEMO_CONNECTED)
    await expect(page.locator("#rate-budget rect.bar")).to_have_count(len(DEMO_CONNECTED))
    await screenshot(page, "stats")

    await page.get_by_role("link", name="Last 7 days").click()
    await expect(page).to_have_url(re.compile(r"range=7d$"))
    await expect(page.locator("#success-rate circle.point").first).to_be_visible()
