"""The dashboard in a real browser: the system's Chromium, driven by Playwright, against the
sandbox (the hub with its worker, CIN7 and CRM emulators) over loopback.

One browser per module, a fresh context (cookies) per test. Browser tests run on SQLite; a
test asks for PostgreSQL as well with `@pytest.mark.parametrize("backend", …, indirect=True)`.
Each page is saved as a screenshot under `artifacts/screenshots/` (git-ignored) for review.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, async_playwright, expect

from tests.support.sandboxes import cin7_staff, running_sandbox
from tillsync.config import Settings
from tillsync.sandbox.runner import Sandbox

CHROMIUM = os.environ.get("TILLSYNC_TEST_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
DEMO_CONNECTED = {"cin7", "crm", "square"}
"""What the sandbox connects its demo barbershop to; the other providers wait for the user."""
CAFE_CONNECTED = {"dine", "zoho"}
"""What the sandbox connects its demo cafe to: Zoho its stock source, Dine its POS."""
WAIT_MS = 60_000
"""How long a page may take to show what it should: generous, the machine is shared."""


@pytest.fixture(params=["sqlite"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        # Playwright cannot download its own browser here: the system's Chromium it is.
        launched = await playwright.chromium.launch(executable_path=CHROMIUM)
        expect.set_options(timeout=WAIT_MS)
        try:
            yield launched
        finally:
            await launched.close()


@pytest_asyncio.fixture(loop_scope="module")
async def sandbox(settings: Settings, tmp_path: Path) -> AsyncIterator[Sandbox]:
    async with running_sandbox(settings, tmp_path) as opened:
        yield opened


@pytest_asyncio.fixture(loop_scope="module")
async def cin7(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    async with cin7_staff(sandbox) as client:
        yield client


@pytest_asyncio.fixture(loop_scope="module")
async def page(browser: Browser, sandbox: Sandbox) -> AsyncIterator[Page]:
    """Closed before the sandbox stops: no stream of the page holds the hub's shutdown."""
    context = await browser.new_context(viewport={"width": 1280, "height": 860})
    context.set_default_timeout(WAIT_MS)
    try:
        yield await context.new_page()
    finally:
        await context.close()


async def sign_in(page: Page, hub_url: str, api_key: str) -> None:
    await page.goto(f"{hub_url}/sign-in")
    await page.get_by_label("API key").fill(api_key)
    await page.get_by_role("button", name="Sign in").click()


async def open_live(page: Page, url: str) -> None:
    """Open a page and wait for its live stream; mark the document to tell a reload apart."""
    await page.goto(url)
    await expect(page.locator("body")).to_have_attribute("data-stream", "open")
    await page.evaluate("window.sameDocument = true")


async def not_reloaded(page: Page) -> bool:
    return bool(await page.evaluate("window.sameDocument === true"))


async def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
