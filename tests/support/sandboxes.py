"""The sandbox as tests open it (the hub with its own worker, every emulator) and CIN7's staff."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

from tillsync.config import Settings
from tillsync.connectors.outbound import tls_context
from tillsync.sandbox.runner import Sandbox, open_sandbox


@asynccontextmanager
async def running_sandbox(settings: Settings, tmp_path: Path) -> AsyncIterator[Sandbox]:
    live = settings.model_copy(update={"embedded_worker": True, "port": 0})
    async with open_sandbox(live, state_dir=tmp_path / "sandbox") as opened:
        yield opened


@asynccontextmanager
async def cin7_staff(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
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


async def adjust_stock(cin7: httpx.AsyncClient, sku: str, on_hand: int) -> None:
    """A stock count keyed in CIN7: the SKU now has `on_hand` at the main warehouse."""
    answer = await cin7.post(
        "/stockadjustment",
        json={
            "EffectiveDate": "2026-11-21T10:00:00",
            "Status": "COMPLETED",
            "Lines": [
                {"SKU": sku, "Quantity": on_hand, "UnitCost": 5, "Location": "Main Warehouse"}
            ],
        },
    )
    assert answer.status_code == 200, answer.text
