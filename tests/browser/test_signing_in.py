"""Signing in to the dashboard with a tenant's key, in Chromium: who sees what."""

import re

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import CAFE_CONNECTED, DEMO_CONNECTED, screenshot, sign_in
from tests.support.sandboxes import adjust_stock
from tests.support.secrets import remember
from tests.support.world import eventually
from tillsync.sandbox.runner import Sandbox
from tillsync.services.alerts import list_alerts
from tillsync.services.tenants import create_tenant

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_the_key_signs_in_to_every_connection_and_signing_out_ends_it(
    page: Page, sandbox: Sandbox
) -> None:
    await page.goto(sandbox.hub_url)
    await expect(page).to_have_url(re.compile(r"/sign-in$"))
    await screenshot(page, "sign-in")

    await sign_in(page, sandbox.hub_url, sandbox.api_key)
    await expect(page).to_have_url(f"{sandbox.hub_url}/")
    await expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    providers = list(sandbox.hub.services.providers)
    await expect(page.locator("article.connection")).to_have_count(len(providers))
    for provider in providers:
        card = page.get_by_role("article", name=provider.title)
        if provider.name in DEMO_CONNECTED:
            await expect(card.locator(".status")).not_to_have_text("not connected")
        else:  # offered, for the user to connect
            await expect(card.locator(".status")).to_have_text("not connected")
    await expect(page.get_by_text("BookBarber Demo Barbershop")).to_be_visible()
    await screenshot(page, "overview")

    await page.get_by_role("button", name="Sign out").click()
    await expect(page).to_have_url(re.compile(r"/sign-in$"))
    await page.goto(f"{sandbox.hub_url}/stock")
    await expect(page).to_have_url(re.compile(r"/sign-in$"))

    cafe = sandbox.cafe  # the second demo business: its stock from Zoho, its orders to Dine
    assert cafe is not None
    remember(cafe.api_key)
    await sign_in(page, sandbox.hub_url, cafe.api_key)
    await expect(page.get_by_text(cafe.name, exact=True)).to_be_visible()
    for provider in providers:
        card = page.get_by_role("article", name=provider.title)
        if provider.name in CAFE_CONNECTED:
            await expect(card.locator(".status")).not_to_have_text("not connected")
        else:
            await expect(card.locator(".status")).to_have_text("not connected")
    await page.goto(f"{sandbox.hub_url}/stock?q=BAKE-CROISSANT")
    await expect(page.locator("tbody[data-sku='BAKE-CROISSANT']")).to_have_count(1)
    await expect(page.locator("tbody[data-sku='TOMB45SHAVECBLCK']")).to_have_count(0)
    await screenshot(page, "cafe-stock")


async def test_a_wrong_key_is_refused(page: Page, sandbox: Sandbox) -> None:
    await sign_in(page, sandbox.hub_url, "tsk_" + "x" * 43)
    await expect(page.get_by_role("alert")).to_have_text(re.compile("unknown or was revoked"))
    await expect(page).to_have_url(re.compile(r"/sign-in$"))
    await screenshot(page, "sign-in-refused")
    await page.goto(sandbox.hub_url)
    await expect(page).to_have_url(re.compile(r"/sign-in$"))


async def test_another_tenants_key_sees_none_of_it(
    page: Page, sandbox: Sandbox, cin7: object
) -> None:
    other = await create_tenant(sandbox.hub.uows, name="Corner Cuts")
    await adjust_stock(cin7, "TOMB45-POWERGLIDE", 0)  # the demo shop's alert, not theirs

    async def raised() -> bool:
        found = await list_alerts(sandbox.hub.uows, sandbox.tenant_id, resolved=False, limit=100)
        return "TOMB45-POWERGLIDE" in {alert.sku for alert in found}

    await eventually(raised, within=60)

    await sign_in(page, sandbox.hub_url, other.api_key)
    await expect(page.get_by_text("Corner Cuts")).to_be_visible()
    statuses = page.locator("article.connection .status")
    await expect(statuses).to_have_count(len(list(sandbox.hub.services.providers)))
    for status in await statuses.all():
        await expect(status).to_have_text("not connected")
    await screenshot(page, "other-tenant-overview")

    await page.goto(f"{sandbox.hub_url}/stock?q=TOMB45")
    await expect(page.locator("td.empty")).to_have_text(re.compile("No products match"))
    await expect(page.locator("tbody[data-sku]")).to_have_count(0)
    await page.goto(f"{sandbox.hub_url}/alerts")
    await expect(page.get_by_text("No open alerts")).to_be_visible()
    await expect(page.locator("tr[data-sku]")).to_have_count(0)
    await expect(page.locator("#nav .badge")).to_have_count(0)
    await screenshot(page, "other-tenant-alerts")
