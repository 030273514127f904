"""The hub connected to a CIN7 emulator, both served on loopback, through the sandbox itself."""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tillsync.config import Settings
from tillsync.connectors.outbound import tls_context
from tillsync.sandbox.runner import Sandbox, open_sandbox


@pytest.fixture
async def sandbox(settings: Settings, tmp_path: Path) -> AsyncIterator[Sandbox]:
    live = settings.model_copy(update={"embedded_worker": True, "port": 0})
    async with open_sandbox(live, state_dir=tmp_path / "sandbox") as opened:
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
    """CIN7's own API, as the warehouse staff use it (their own application key)."""
    staff = sandbox.cin7.add_application_key(sandbox.cin7_account_id)
    headers = {
        "api-auth-accountid": staff.account_id,
        "api-auth-applicationkey": staff.application_key,
    }
    async with httpx.AsyncClient(
        verify=tls_context(), base_url=sandbox.cin7_url, headers=headers, timeout=30
    ) as client:
        yield client
