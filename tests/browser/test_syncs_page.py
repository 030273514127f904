"""The syncs page in Chromium: a Force sync shows its progress and ends, a reconciliation's
drift report lists what it repaired."""

import re

import pytest
from playwright.async_api import Page, expect
from sqlalchemy import select, update

from tests.browser.conftest import not_reloaded, open_live, screenshot, sign_in
from tillsync.sandbox.runner import Sandbox
from tillsync.store.tables import Connection, StockLevel

pytestmark = pytest.mark.asyncio(loop_scope="module")
WAREHOUSE = "cin7"
SKU = "TOMB45SHAVECBLCK"
PAGE_SIZE = 3
LATENCY_MS = 400
INTERMEDIATE = """() => {
  const shown = document.querySelector(
    '#sync-cin7 .run-progress[data-status="running"] .pages');
  const found = shown && shown.textContent.match(/^(\\d+) of (\\d+) pages$/);
  return found && +found[1] > 0 && +found[1] < +found[2] ? shown.textContent : null;
}"""
"""Some pages read, not all yet: a state between the start and the end of the pull."""


async def _slow_pages(sandbox: Sandbox) -> None:
    """Small pages from a slow warehouse: the demo's 15 products take a few seconds to pull."""
    async with sandbox.hub.uows.begin() as uow:
        connection = await uow.session.scalar(
            select(Connection).where(
                Connection.tenant_id == sandbox.tenant_id, Connection.provider == WAREHOUSE
            )
        )
        assert connection is not None
        connection.settings = {**connection.settings, "page_size": PAGE_SIZE}
        await uow.commit()
    sandbox.cin7.faults.configure(latency_ms=LATENCY_MS)


async def test_force_sync_runs_and_completes_with_progress_shown(
    page: Page, sandbox: Sandbox
) -> None:
    await _slow_pages(sandbox)
    await sign_in(page, sandbox.hub_url, sandbox.api_key)
    await open_live(page, f"{sandbox.hub_url}/syncs")
    panel = page.locator(f"#sync-{WAREHOUSE}")
    await expect(panel.locator('tr[data-entity="catalog"] td.needs')).to_have_text("no")

    await panel.get_by_role("button", name="Force sync").click()
    progress = panel.locator('.run-progress[data-mode="full"]')
    await expect(progress).to_have_count(1)
    run_id = await progress.get_attribute("data-run-id")
    shown = await page.wait_for_function(INTERMEDIATE)
    assert re.fullmatch(r"\d+ of \d+ pages", await shown.json_value())
    await expect(progress.locator(".rows")).to_contain_text("products")

    await panel.get_by_role("button", name="Force sync").click()  # again, while it runs
    refusal = panel.get_by_role("alert")
    await expect(refusal).to_contain_text("Force sync refused: a full sync is already queued")
    await screenshot(page, "syncs")

    finished = panel.locator(f'.sync-runs tr[data-run-id="{run_id}"]')
    await expect(finished).to_have_attribute("data-status", "success")
    await expect(progress).to_have_count(0)
    await expect(refusal).to_be_visible()  # the polling of the progress left it be
    await expect(finished).to_contain_text("Full sync manual")
    pages = int(await finished.locator("td.num").first.inner_text())
    assert pages > 2  # products and stock, several pages each
    await expect(panel.locator('tr[data-entity="catalog"] td.num')).to_have_text("0 min")
    assert await not_reloaded(page)
    await screenshot(page, "syncs-done")


async def test_a_reconciliations_drift_report_shows_what_it_repaired(
    page: Page, sandbox: Sandbox
) -> None:
    async with sandbox.hub.uows.begin() as uow:  # a lost delivery: the hub holds a stale figure
        await uow.session.execute(
            update(StockLevel)
            .where(StockLevel.tenant_id == sandbox.tenant_id, StockLevel.sku == SKU)
            .values(warehouse_available=99, warehouse_on_hand=99)
        )
        await uow.commit()
    await sign_in(page, sandbox.hub_url, sandbox.api_key)
    await open_live(page, f"{sandbox.hub_url}/syncs")
    panel = page.locator(f"#sync-{WAREHOUSE}")

    await panel.get_by_role("button", name="Reconcile").click()
    report = panel.locator(".drift-latest li").first
    await expect(report).to_contain_text("2 differences found, 2 repaired")
    await report.get_by_role("link").click()
    await expect(page).to_have_url(re.compile(r"/syncs/cin7/reports/[0-9a-f-]+$"))
    await expect(page.locator(".drift-counts")).to_have_text("2 found, 2 repaired")
    await expect(page.locator(f'table.drift-items tr[data-sku="{SKU}"]')).to_have_count(2)
    for field in ("available", "on_hand"):
        row = page.locator(f'table.drift-items tr[data-sku="{SKU}"][data-field="{field}"]')
        await expect(row.locator(".hub-value")).to_have_text("99")
        await expect(row.locator(".provider-value")).to_have_text("24")
        await expect(row.locator(".done")).to_have_text("repaired")
    await screenshot(page, "drift-report")
