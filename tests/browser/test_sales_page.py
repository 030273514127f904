"""A sale's push refused by CIN7 shows failed in Chromium, and is retried from its page."""

from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Page, expect

from tests.browser.conftest import not_reloaded, open_live, screenshot, sign_in
from tillsync.sandbox.runner import Sandbox

pytestmark = pytest.mark.asyncio(loop_scope="module")
CALM, SALE = "POS-DASH-CALM-1", "POS-DASH-RETRY-1"
SKU = "TOMB45SHAVECBLCK"
REFUSE_SALES = {
    "rules": [
        # CIN7 says no to every new sale: a permanent refusal, so the push fails at once.
        {"method": "POST", "path": "/sale", "action": "fail_before", "status": 400, "times": None}
    ]
}


@pytest_asyncio.fixture(loop_scope="module")
async def faults(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    """The CIN7 emulator's fault switch."""
    async with httpx.AsyncClient(base_url=sandbox.cin7_control, timeout=30) as client:
        yield client


async def _sell(sandbox: Sandbox, sale_id: str, *, customer: bool) -> None:
    headers = {"Authorization": f"Bearer {sandbox.api_key}"}
    sale: dict[str, object] = {
        "saleId": sale_id,
        "paymentMethod": "card",
        "items": [{"sku": SKU, "quantity": 1, "price": 29.99}],
    }
    if customer:
        sale |= {"customerId": "cust-42", "customerName": "Marcus Fade", "currency": "USD"}
    async with httpx.AsyncClient(base_url=sandbox.hub_url, headers=headers, timeout=30) as pos:
        answer = await pos.post("/api/sales", json=sale)
    assert answer.status_code == 200, answer.text


async def test_a_failed_job_is_retried_from_its_page(
    page: Page, sandbox: Sandbox, faults: httpx.AsyncClient
) -> None:
    await sign_in(page, sandbox.hub_url, sandbox.api_key)
    await _sell(sandbox, CALM, customer=False)
    await open_live(page, f"{sandbox.hub_url}/sales")
    calm = page.locator(f'tr[data-sale="{CALM}"] td[data-role="warehouse"] .delivery')
    await expect(calm).to_have_attribute("data-state", "done")

    switched = await faults.put("/faults", json=REFUSE_SALES)
    assert switched.status_code == 200, switched.text
    await _sell(sandbox, SALE, customer=True)
    row = page.locator(f'tr[data-sale="{SALE}"]')
    push = row.locator('td[data-role="warehouse"] .delivery')
    await expect(push).to_have_attribute("data-state", "failed")  # arrived, then settled
    await expect(push).to_contain_text("400")
    invoice = row.locator('td[data-role="crm"] .delivery')
    await expect(invoice).to_have_attribute("data-state", "done")
    await expect(invoice).to_contain_text("paid")
    assert await not_reloaded(page)
    await screenshot(page, "sales")

    await row.get_by_role("link", name=SALE).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(f"Sale {SALE}")
    job = page.locator('article.job[data-role="warehouse"]')
    await expect(job).to_have_attribute("data-state", "failed")
    await expect(job.locator("table.attempts")).to_contain_text("permanent")
    await screenshot(page, "sale-detail-failed")

    cleared = await faults.delete("/faults")
    assert cleared.status_code == 200, cleared.text
    await job.get_by_role("button", name="Retry").click()
    await expect(page.get_by_role("status")).to_contain_text("is queued again")
    await expect(job).to_have_attribute("data-state", "done")  # without a reload
    await expect(job.locator(".delivery .reference")).to_contain_text("document")
    await expect(job.get_by_role("button", name="Retry")).to_have_count(0)
    history = page.locator("#sale-history")
    await expect(history).to_contain_text("Attempt: refused")
    await expect(history).to_contain_text("Attempt after an operator's retry: succeeded")
    await expect(history).to_contain_text("Warehouse push: pushed, document")
    await screenshot(page, "sale-detail")

    document = await job.locator(".delivery .reference code").inner_text()
    assert document in sandbox.cin7.account(sandbox.cin7_account_id).sales  # CIN7 has it
