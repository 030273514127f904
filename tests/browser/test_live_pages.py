"""Stock and alerts follow the live stream in Chromium: changes in CIN7 appear without a reload."""

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import not_reloaded, open_live, screenshot, sign_in
from tests.support.sandboxes import adjust_stock
from tillsync.sandbox.runner import Sandbox

pytestmark = pytest.mark.asyncio(loop_scope="module")
SKU = "TOMB45SHAVECBLCK"
GEL = "TOMB45-POWERGLIDE"


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
async def test_a_stock_change_in_cin7_appears_on_the_stock_page_without_a_reload(
    page: Page, sandbox: Sandbox, cin7: httpx.AsyncClient, backend: str
) -> None:
    await sign_in(page, sandbox.hub_url, sandbox.api_key)
    await open_live(page, f"{sandbox.hub_url}/stock")
    row = page.locator(f'tbody[data-sku="{SKU}"] tr[data-location="Main Warehouse"]')
    await expect(row.locator("td.available")).to_have_text("24")

    await adjust_stock(cin7, SKU, 7)
    await expect(row.locator("td.warehouse")).to_have_text("7")
    await expect(row.locator("td.available")).to_have_text("7")
    await expect(row).not_to_have_class("mark-low_stock")

    await adjust_stock(cin7, SKU, 3)  # at or under its reorder level of 5
    await expect(row.locator("td.available")).to_have_text("3 low")
    await expect(row).to_have_class("mark-low_stock")

    await adjust_stock(cin7, SKU, 0)
    await expect(row.locator("td.available")).to_have_text("0 out of stock")
    await expect(row).to_have_class("mark-out_of_stock")
    assert await not_reloaded(page)
    await screenshot(page, f"stock-{backend}")


async def test_an_out_of_stock_alert_appears_and_resolves_on_the_alerts_page(
    page: Page, sandbox: Sandbox, cin7: httpx.AsyncClient
) -> None:
    await sign_in(page, sandbox.hub_url, sandbox.api_key)
    await open_live(page, f"{sandbox.hub_url}/alerts")
    open_gel = page.locator(f'#open-alerts tr[data-sku="{GEL}"][data-type="out_of_stock"]')
    resolved_gel = page.locator(f'#alert-history tr[data-sku="{GEL}"][data-type="out_of_stock"]')
    await expect(open_gel).to_have_count(0)
    badge = page.locator("#nav a[href='/alerts'] .badge")
    before = int(await badge.inner_text())

    await adjust_stock(cin7, GEL, 0)
    await expect(open_gel).to_have_count(1)
    await expect(open_gel).to_contain_text("is out of stock")
    await expect(badge).to_have_text(str(before + 1))
    await screenshot(page, "alerts")

    await adjust_stock(cin7, GEL, 30)
    await expect(open_gel).to_have_count(0)
    await expect(resolved_gel).to_have_count(1)
    await expect(badge).to_have_text(str(before))
    assert await not_reloaded(page)
    await screenshot(page, "alerts-resolved")
