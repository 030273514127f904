"""In Chromium, against the sandbox: the POS page offers every POS of the registry. A business
connects Zoho through the consent screen; its Zoho account has two organizations, so the
page asks which one, the merchant picks the second, and an order placed through the API
reaches that organization. Another business connects Dine with its API key in the page's
form (Dine has no consent screen)."""

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import screenshot, sign_in
from tests.support.secrets import remember
from tillsync.sandbox.runner import Sandbox
from tillsync.services.tenants import NewTenant, create_tenant

pytestmark = pytest.mark.asyncio(loop_scope="module")
ORDER = "CAFE-ORDER-1"


async def _place(sandbox: Sandbox, tenant: NewTenant) -> None:
    order = {
        "business_id": tenant.tenant_id,
        "order_id": ORDER,
        "currency": "USD",
        "items": [{"dish_id": "dish-chai", "name": "Masala chai", "quantity": 2, "unit_price": 4}],
    }
    headers = {"Authorization": f"Bearer {tenant.api_key}"}
    async with httpx.AsyncClient(base_url=sandbox.hub_url, headers=headers, timeout=30) as app:
        answer = await app.post("/api/v1/orders", json=order)
    assert answer.status_code == 201, answer.text


async def test_a_business_connects_zoho_picking_the_second_organization_and_another_dine(
    page: Page, sandbox: Sandbox
) -> None:
    assert sandbox.zoho is not None
    assert sandbox.dine is not None
    zoho = sandbox.zoho.state
    first = sandbox.zoho.organization
    second = zoho.create_organization(name="Second Kitchen", account_id=first.account_id)
    tenant = await create_tenant(sandbox.hub.uows, name="Two Kitchens")
    remember(tenant.api_key, second.access_token)

    await sign_in(page, sandbox.hub_url, tenant.api_key)
    await page.goto(f"{sandbox.hub_url}/pos")
    for title in ("Square", "Zoho Inventory", "Dine"):  # every POS of the registry
        await expect(page.get_by_role("button", name=f"Connect {title}")).to_be_visible()
    await page.get_by_role("button", name="Connect Zoho Inventory").click()

    choice = page.locator("section.connect-choice")
    await expect(choice.get_by_role("heading")).to_have_text("Choose the organization")
    remember(*zoho.tokens.access, *(t for t in zoho.tokens.refresh if t))
    organizations = choice.get_by_label("Organization")
    await expect(organizations.locator("option")).to_have_count(2)
    await screenshot(page, "pos-choose-organization")
    await organizations.select_option(second.organization_id)
    await choice.get_by_role("button", name="Connect Zoho Inventory").click()

    await expect(page).to_have_url(f"{sandbox.hub_url}/pos?connected=zoho")
    await expect(page.get_by_role("status")).to_have_text("Zoho Inventory connected.")
    integration = page.locator("section.pos-integration")
    await expect(integration).to_have_attribute("data-provider", "zoho")
    await expect(integration).to_have_attribute("data-status", "active")
    await expect(page.locator("section.connect-choice")).to_have_count(0)
    await screenshot(page, "pos-zoho-connected")

    await _place(sandbox, tenant)
    await page.goto(f"{sandbox.hub_url}/orders")
    row = page.locator(f'tr[data-order="{ORDER}"]')
    await expect(row).to_have_attribute("data-sync-state", "success")  # polled until settled
    pos_order_id = await row.locator("td.pos-order code").inner_text()
    made = {
        organization: [
            so["salesorder_id"]
            for so in zoho.organization(organization).salesorders.values()
            if so.get("reference_number") == ORDER
        ]
        for organization in (first.organization_id, second.organization_id)
    }
    assert made == {first.organization_id: [], second.organization_id: [pos_order_id]}

    cafe = await create_tenant(sandbox.hub.uows, name="Key Cafe")
    remember(cafe.api_key)
    await page.context.clear_cookies()  # another business's browser
    await sign_in(page, sandbox.hub_url, cafe.api_key)
    await page.goto(f"{sandbox.hub_url}/pos")
    dine = page.locator('form.connect[data-provider="dine"]')
    await dine.get_by_label("Dine api key").fill(sandbox.dine.restaurant.api_key)
    await dine.get_by_role("button", name="Connect Dine").click()
    await expect(page).to_have_url(f"{sandbox.hub_url}/pos?connected=dine")
    await expect(page.get_by_role("status")).to_have_text("Dine connected.")
    await expect(integration).to_have_attribute("data-provider", "dine")
    await expect(integration).to_have_attribute("data-status", "active")
    await screenshot(page, "pos-dine-connected")
