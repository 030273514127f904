"""In Chromium, against the sandbox: a business not yet connected to Square connects it
through the consent screen (the hub's authorize, the emulator approving at once, the hub's
callback) and comes back to the POS page connected at the seller's main location; a dish
is mapped onto an item of the POS catalog, an order placed through the API reaches Square
once, and its page shows it synced with Square's order id; syncing it again sends nothing."""

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import screenshot, sign_in
from tests.support.secrets import remember
from tillsync.sandbox.runner import Sandbox
from tillsync.services.tenants import NewTenant, create_tenant

pytestmark = pytest.mark.asyncio(loop_scope="module")
ORDER, DISH = "APP-ORDER-1", "dish-fade"


async def _place(sandbox: Sandbox, tenant: NewTenant) -> None:
    order = {
        "business_id": tenant.tenant_id,
        "order_id": ORDER,
        "currency": "USD",
        "items": [{"dish_id": DISH, "name": "Skin fade", "quantity": 1, "unit_price": 25}],
        "customer": {"name": "Marcus Fade", "phone": "+1 555 0100"},
    }
    headers = {"Authorization": f"Bearer {tenant.api_key}"}
    async with httpx.AsyncClient(base_url=sandbox.hub_url, headers=headers, timeout=30) as app:
        answer = await app.post("/api/v1/orders", json=order)
    assert answer.status_code == 201, answer.text


async def test_a_business_connects_square_by_consent_and_its_mapped_order_shows_synced(
    page: Page, sandbox: Sandbox
) -> None:
    assert sandbox.square is not None
    square = sandbox.square.state
    tenant = await create_tenant(sandbox.hub.uows, name="Corner Cuts")
    remember(tenant.api_key)
    seller = square.create_merchant(business_name="Corner Cuts")
    square.update_settings(authorizing_merchant_id=seller.merchant_id)  # who signs in there

    await sign_in(page, sandbox.hub_url, tenant.api_key)
    await page.goto(f"{sandbox.hub_url}/pos")
    await expect(page.get_by_text("no POS integration yet")).to_be_visible()
    await screenshot(page, "pos-connect")
    await page.get_by_role("button", name="Connect Square").click()
    await expect(page).to_have_url(f"{sandbox.hub_url}/pos?connected=square")
    remember(*square.tokens.access, *(t for t in square.tokens.refresh if t))
    await expect(page.get_by_role("status")).to_have_text("Square connected.")
    integration = page.locator("section.pos-integration")
    await expect(integration).to_have_attribute("data-status", "active")
    await expect(integration).to_contain_text(seller.merchant_id)
    await expect(page.get_by_label("Location")).to_have_value(seller.location_id)
    await expect(page.get_by_role("button", name="Connect Square")).to_have_count(0)
    await screenshot(page, "pos-connected")

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

    await _place(sandbox, tenant)
    await page.goto(f"{sandbox.hub_url}/orders")
    row = page.locator(f'tr[data-order="{ORDER}"]')
    await expect(row).to_have_attribute("data-sync-state", "success")  # polled until settled
    await expect(row.locator("td.pos-order code")).not_to_be_empty()
    pos_order_id = await row.locator("td.pos-order code").inner_text()
    await screenshot(page, "orders")
    at_square = [
        order
        for order in square.merchant(seller.merchant_id).orders.values()
        if order.get("reference_id") == ORDER
    ]
    assert [(o["id"], o["location_id"]) for o in at_square] == [(pos_order_id, seller.location_id)]
    assert [line["catalog_object_id"] for line in at_square[0]["line_items"]] == [item_id]

    await row.get_by_role("link", name=ORDER).click()
    await expect(page.locator("#order-sync-state")).to_have_attribute("data-sync-state", "success")
    await expect(page.locator("#order-pos-id")).to_have_text(pos_order_id)
    await expect(page.locator("table.attempts .outcome-success")).to_have_count(1)
    await page.get_by_role("button", name="Sync now").click()
    await expect(page.locator("#sync-outcome")).to_contain_text("already has this order")
    await expect(page.locator("article.job")).to_have_count(1)  # no second push
    await screenshot(page, "order-detail")
