"""`tillsync sandbox` as a user runs it: a separate process, its manifest, the seed's examples."""

import asyncio
import json
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.processes import environment
from tillsync.config import Settings
from tillsync.serving import free_port

pytestmark = pytest.mark.e2e


async def _manifest(path: Path, process: asyncio.subprocess.Process) -> dict[str, Any]:
    """The sandbox writes its manifest only once everything answers."""
    async with asyncio.timeout(60):
        while not await asyncio.to_thread(path.exists):
            if process.returncode is not None:
                raise AssertionError(f"the sandbox exited with {process.returncode}")
            await asyncio.sleep(0.1)
    data: dict[str, Any] = json.loads(await asyncio.to_thread(path.read_text))
    return data


@pytest.fixture
async def sandbox_process(
    settings: Settings, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[tuple[asyncio.subprocess.Process, Path]]:
    state_dir = tmp_path / "state"
    env = environment(settings)
    env.pop("TILLSYNC_PUBLIC_URL")
    env.pop("TILLSYNC_DATA_DIR")
    if settings.database_url.startswith("sqlite"):
        env.pop("TILLSYNC_DATABASE_URL")  # the sandbox's own file, as a user gets it
    args = ["--port", str(free_port()), "--state-dir", str(state_dir)]
    args += getattr(request, "param", [])
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tillsync",
        "sandbox",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        yield process, state_dir
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_the_sandbox_serves_the_seed_examples_and_stops_cleanly(
    sandbox_process: tuple[asyncio.subprocess.Process, Path],
) -> None:
    process, state_dir = sandbox_process
    manifest = await _manifest(state_dir / "sandbox.json", process)
    assert set(manifest) == {"hub_url", "api_key", "tenant_id", "emulators"}
    assert set(manifest["emulators"]["cin7"]) == {"url", "account_id", "application_key"}
    headers = {"Authorization": f"Bearer {manifest['api_key']}"}
    async with httpx.AsyncClient(base_url=manifest["hub_url"], headers=headers) as hub:
        check = await hub.post(
            "/api/cin7/sale-sync",
            json={"action": "CHECK_INVENTORY", "sku": "TOMB45SHAVECBLCK", "quantity": 5},
        )
        assert check.json()["available"] is True
        sale = await hub.post(
            "/api/cin7/sale-sync",
            json={
                "action": "RECORD_SALE",
                "saleId": "TEST-001",
                "invoiceNumber": "INV-TEST-001",
                "items": [
                    {
                        "sku": "TOMB45SHAVECBLCK",
                        "name": "Tomb45 Shaving Cream",
                        "quantity": 1,
                        "price": 29.99,
                    }
                ],
            },
        )
        assert sale.json()["success"] is True
        assert (await hub.get("/api/cin7/webhook")).json()["status"] == "ok"
    cin7 = manifest["emulators"]["cin7"]
    cin7_headers = {
        "api-auth-accountid": cin7["account_id"],
        "api-auth-applicationkey": cin7["application_key"],
    }
    async with httpx.AsyncClient(base_url=cin7["url"], headers=cin7_headers) as warehouse:
        async with asyncio.timeout(10):
            while not (await warehouse.get("/saleList", params={"ExternalID": "TEST-001"})).json()[
                "SaleList"
            ]:
                await asyncio.sleep(0.1)
    process.send_signal(signal.SIGTERM)
    async with asyncio.timeout(20):
        assert await process.wait() == 0


@pytest.mark.parametrize("sandbox_process", [["--simulate"]], indirect=True)
async def test_the_simulated_day_trades_and_prints_as_it_goes(
    sandbox_process: tuple[asyncio.subprocess.Process, Path],
) -> None:
    process, _ = sandbox_process
    assert process.stdout is not None
    seen: list[str] = []
    async with asyncio.timeout(60):
        while not any("POS   sold" in line for line in seen):
            line = await process.stdout.readline()
            assert line, "the sandbox stopped printing: " + "".join(seen)
            seen.append(line.decode())
    printed = "".join(seen)
    assert "Authorization: Bearer tsk_" in printed
    assert "TOMB45SHAVECBLCK" in printed
    process.send_signal(signal.SIGINT)
    async with asyncio.timeout(20):
        await process.communicate()
    assert process.returncode == 0
