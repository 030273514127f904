"""The records page in Chromium for a restaurant on Poster: each entity's age, suppliers kept
fresh by syncs alone, a token lapsing within the month warned of, Force sync pressed and
completed, then a sync the emulator fails shown failed with its error."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, expect

from tests.browser.conftest import screenshot, sign_in
from tests.support.poster_world import PosterWorld, poster_world
from tests.support.secrets import remember
from tillsync.config import Settings
from tillsync.services.connections.settings import update_settings

pytestmark = pytest.mark.asyncio(loop_scope="module")
ENTITIES = ("suppliers", "ingredients", "storages", "categories")


@pytest_asyncio.fixture(loop_scope="module")
async def world(settings: Settings) -> AsyncIterator[PosterWorld]:
    """The Poster world with a worker of its own running (no scheduler: no daily sync)."""
    async with poster_world(settings) as opened:
        stop = asyncio.Event()
        worker = asyncio.create_task(opened.hub.create_worker().run(stop))
        try:
            yield opened
        finally:
            stop.set()
            await worker


@pytest_asyncio.fixture(loop_scope="module")
async def page(browser: Browser, world: PosterWorld) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        yield await context.new_page()
    finally:
        await context.close()


async def test_force_sync_completes_and_a_failed_sync_is_shown(
    page: Page, world: PosterWorld
) -> None:
    lapses = dt.datetime.now(dt.UTC) + dt.timedelta(days=20)
    answer = await world.connect_token(token_expires_at=lapses.isoformat())
    assert answer.status_code == 200, answer.text
    await update_settings(
        world.hub.services, tenant_id=world.tenant_id, provider="poster", given={"max_retries": 1}
    )
    key = world.api.headers["Authorization"].removeprefix("Bearer ")
    remember(key)
    await sign_in(page, world.url, key)
    await page.goto(f"{world.url}/records")
    panel = page.locator("#records-poster")
    await expect(panel.locator(".token-warning")).to_contain_text("in 19 days")
    suppliers = panel.locator('.record-entities tr[data-entity="suppliers"]')
    await expect(suppliers.locator(".hooked")).to_contain_text("Poster sends no webhook")
    await expect(suppliers.locator(".needs")).to_have_text("yes")
    hooked = panel.locator('.record-entities tr[data-entity="ingredients"] .hooked')
    await expect(hooked).to_have_text("webhooks and syncs")

    await panel.get_by_role("button", name="Force sync").click()
    done = panel.locator('.record-runs tr[data-status="success"]')
    await expect(done).to_have_count(len(ENTITIES))
    await expect(panel.locator(".run-progress")).to_have_count(0)
    for entity in ENTITIES:
        row = panel.locator(f'.record-entities tr[data-entity="{entity}"]')
        await expect(row.locator(".age")).to_have_text("0 min")
        await expect(row.locator(".needs")).to_have_text("no")
    await screenshot(page, "records")

    rule = {"path": "/api/menu.getIngredients", "action": "fail_before", "status": 500}
    async with httpx.AsyncClient(base_url=world.emulator, timeout=10) as control:
        put = await control.put("/_emulator/faults", json={"rules": [rule | {"times": None}]})
        assert put.status_code == 200, put.text
    await panel.get_by_role("button", name="Force sync").click()
    failed = panel.locator('.record-runs tr[data-status="failed"][data-entity="ingredients"]')
    await expect(failed).to_have_count(1)
    await expect(failed.locator(".last-error")).to_contain_text("500")
    outcome = panel.locator('.record-entities tr[data-entity="ingredients"] .outcome')
    await expect(outcome).to_have_text("failed")
    await expect(panel.locator('.record-runs tr[data-status="success"]')).to_have_count(7)
    await screenshot(page, "records-failed")
