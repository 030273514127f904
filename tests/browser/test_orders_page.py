"""In Chromium, against the sandbox (its business connected to the Square emulator): a dish
is mapped onto an item of the POS catalog, an order placed through the API reaches the POS,
and its page shows it synced with the POS's order id; syncing it again sends nothing."""

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import screenshot, sign_in
from tillsync.sandbox.runner import Sandbox

pytestmark = pytest.mark.asyncio(loop_scope="module")
ORDER, DISH = "APP-ORDER-1", "dish-fade"


async def _place(sandbox: Sandbox) -> None:
    order = {
        "business_id": sandbox.tenant_id,
        "order_id": ORDER,
        "currency": "USD",
        "items": [{"dish_id": DISH, "name": "Skin fade", "quantity": 1, "unit_price": 25}],
        "customer": {"name": "Marcus Fade", "phone": "+1 555 0100"},
    }
    headers = {"Authorization": f"Bearer {sandbox.api_key}"}
    async with httpx.AsyncClient(base_url=sandbox.hub_url, headers=headers, timeout=30) as app:
        answer = await app.post("/api/v1/orders", json=order)
    assert answer.status_code == 201, answer.text


async def test_a_mapped_order_reaches_the_pos_and_shows_synced(
    page: Page, sandbox: Sandbox
) -> None:
    await sign_in(page, sandbox.hub_url, sandbox.api_key)
    await page.goto(f"{sandbox.hub_url}/pos")
    mapping = page.locator("section.item-mapping")
    new_row = mapping.locator("tr.new-mapping").first
    await new_row.get_by_label("Dish id").fill(DISH)
    choice = new_row.get_by_label("POS catalog item")
    await expect(choice.locator("option")).not_to_have_count(1)  # the catalog is offered
    item_id = await choice.locator("option").nth(1).get_attribute("value")
    assert item_id
    await choice.select_option(item_id)
    await mapping.get_by_role("button", name="Save mapping").click()
    await expect(page.get_by_role("status")).to_have_text("Item mapping saved.")
    saved = page.locator(f'tr[data-dish="{DISH}"] select')
    await expect(saved).to_have_value(item_id)
    await screenshot(page, "pos-integration")

    await _place(sandbox)
    await page.goto(f"{sandbox.hub_url}/orders")
    row = page.locator(f'tr[data-order="{ORDER}"]')
    await expect(row).to_have_attribute("data-sync-state", "success")  # polled until settled
    await expect(row.locator("td.pos-order code")).not_to_be_empty()
    pos_order_id = await row.locator("td.pos-order code").inner_text()
    await screenshot(page, "orders")

    await row.get_by_role("link", name=ORDER).click()
    await expect(page.locator("#order-sync-state")).to_have_attribute("data-sync-state", "success")
    await expect(page.locator("#order-pos-id")).to_have_text(pos_order_id)
    await expect(page.locator("table.attempts .outcome-success")).to_have_count(1)
    await page.get_by_role("button", name="Sync now").click()
    await expect(page.locator("#sync-outcome")).to_contain_text("already has this order")
    await expect(page.locator("article.job")).to_have_count(1)  # no second push
    await screenshot(page, "order-detail")
