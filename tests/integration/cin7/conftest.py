"""The hub connected to a CIN7 emulator, both served on loopback, through the sandbox itself."""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.support.sandboxes import cin7_staff, running_sandbox
from tillsync.config import Settings
from tillsync.connectors.outbound import tls_context
from tillsync.sandbox.runner import Sandbox


@pytest.fixture
async def sandbox(settings: Settings, tmp_path: Path) -> AsyncIterator[Sandbox]:
    async with running_sandbox(settings, tmp_path) as opened:
        yield opened


@pytest.fixture
async def pos(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"Authorization": f"Bearer {sandbox.api_key}"}
    async with httpx.AsyncClient(
        verify=tls_context(), base_url=sandbox.hub_url, headers=headers, timeout=30
    ) as client:
        yield client


@pytest.fixture
async def cin7(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    async with cin7_staff(sandbox) as client:
        yield client
