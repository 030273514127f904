"""300 sale pushes through a CIN7 that fails 30% of calls: each sale arrives exactly once.

The emulator runs as its own process (as `tillsync emulator cin7`), so the hub's workers
and the provider do not share one CPU. On PostgreSQL three worker processes share the
queue, and the attempt log shows that no job ever ran in two places at once.

300 sales make about 1,900 calls and 600 faults: over a hundred of each kind, at every
stage of a push (look-up, sale, order, invoice). More sales would prove nothing more and
would cost the suite minutes.
"""

import asyncio
import collections
import datetime as dt
import itertools
import sys
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from tests.support.hubs import RunningHub, running_hub
from tests.support.processes import environment, tillsync_process
from tests.support.world import eventually
from tillsync.config import Settings
from tillsync.services import sales
from tillsync.services.connections.lifecycle import connect
from tillsync.services.tenants import Caller
from tillsync.store.tables import Job, JobAttempt

pytestmark = pytest.mark.long(60)

SALES = 300
SKU = "TOMB45SHAVECBLCK"
TUNING = {
    "push_mode": "per_sale",
    "retry_interval_seconds": 0.05,
    "max_retries": 200,
    "throttle_base_seconds": 0.05,
    "throttle_cap_seconds": 0.5,
    "rate_limit": {"calls": 60_000_000, "window_seconds": 60},  # the faults are the test here
}
FAULTS = {"error_rate": 0.3, "kinds": ["500", "503", "throttle", "timeout", "reset"], "seed": 7}


@pytest.fixture
async def emulator() -> AsyncIterator[str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tillsync",
        "emulator",
        "cin7",
        "--port",
        "0",
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        async with asyncio.timeout(20):
            url = (await process.stdout.readline()).decode().strip()
        assert url.startswith("http://127.0.0.1:"), url
        yield url
    finally:
        process.kill()
        await process.wait()


async def _prepared(hub: RunningHub, url: str) -> tuple[httpx.AsyncClient, Caller]:
    control = httpx.AsyncClient(base_url=url, timeout=30)
    account = (await control.post("/_emulator/accounts", json={})).json()
    await control.post(
        "/_emulator/products",
        json={
            "account_id": account["account_id"],
            "products": [{"SKU": SKU, "Name": "Tomb45", "stock": {"Main Warehouse": 5000}}],
        },
    )
    await control.put("/_emulator/settings", json={"rate_limit": None, "fault_timeout_seconds": 1})
    api = f"{url}/ExternalApi/v2"
    async with hub.tenant() as tenant:
        await connect(
            hub.hub.services,
            provider="cin7",
            tenant_id=tenant.tenant_id,
            credentials={
                "account_id": account["account_id"],
                "application_key": account["application_key"],
            },
            base_url=api,
            settings=TUNING,
        )
    control.headers.update(
        {
            "api-auth-accountid": account["account_id"],
            "api-auth-applicationkey": account["application_key"],
        }
    )
    for hook in (await control.get(f"{api}/webhooks")).json()["Webhooks"]:
        await control.delete(f"{api}/webhooks", params={"ID": hook["ID"]})
    await hub.hub.create_worker().run_until_idle()  # the first catalog sync
    caller = Caller(tenant_id=tenant.tenant_id, default_location="Main Warehouse")
    line = sales.LineInput(sku=SKU, quantity=Decimal(1), price=Decimal("29.99"))
    for n in range(SALES):
        sale = sales.SaleInput(sale_id=f"F-{n:04d}", items=(line,))
        await sales.record_sale(hub.hub.uows, caller, sale)
    await control.put("/_emulator/faults", json=FAULTS)
    return control, caller


async def _pushed(hub: RunningHub) -> bool:
    async with hub.hub.uows.read() as session:
        done = await session.scalar(
            select(func.count()).where(Job.kind == "cin7.push_sale", Job.state == "success")
        )
    return done == SALES


async def _external_ids(control: httpx.AsyncClient, url: str) -> collections.Counter[str]:
    await control.delete("/_emulator/faults")
    seen: collections.Counter[str] = collections.Counter()
    page = 1
    while True:
        answer = await control.get(
            f"{url}/ExternalApi/v2/saleList", params={"Page": page, "Limit": 1000}
        )
        rows = answer.json()["SaleList"]
        seen.update(row["ExternalID"] for row in rows)
        if len(rows) < 1000:
            return seen
        page += 1


async def _overlaps(hub: RunningHub) -> list[Any]:
    """Attempts of one job whose run times cross: the job ran twice at once."""
    async with hub.hub.uows.read() as session:
        attempts = (await session.scalars(select(JobAttempt).order_by(JobAttempt.started_at))).all()
    by_job: dict[str, list[JobAttempt]] = collections.defaultdict(list)
    for attempt in attempts:
        by_job[attempt.job_id].append(attempt)
    crossing = []
    for runs in by_job.values():
        for earlier, later in itertools.pairwise(runs):
            ended = earlier.finished_at or earlier.started_at + dt.timedelta(seconds=30)
            if later.started_at < ended:
                crossing.append((earlier.worker, later.worker, earlier.job_id))
    return crossing


@pytest.mark.timeout(400)
async def test_three_hundred_pushes_through_thirty_percent_faults_arrive_once_each(
    settings: Settings, backend: str, emulator: str
) -> None:
    quick = settings.model_copy(update={"provider_timeout_seconds": 0.5})
    async with running_hub(quick) as hub:
        control, _ = await _prepared(hub, emulator)
        try:
            if backend == "postgresql":
                env = environment(
                    quick,
                    TILLSYNC_WORKER_CONCURRENCY="8",
                    TILLSYNC_PROVIDER_TIMEOUT_SECONDS="0.5",
                )
                async with (
                    tillsync_process("worker", env=env),
                    tillsync_process("worker", env=env),
                    tillsync_process("worker", env=env),
                ):
                    await eventually(lambda: _pushed(hub), within=360)
            else:
                worker = hub.hub.create_worker()
                worker.concurrency = 8  # as each PostgreSQL process; 16 slots queue on
                # SQLite's one writer long enough, on a saturated machine, to outlast a lease
                stop = asyncio.Event()
                running = asyncio.create_task(worker.run(stop))
                await eventually(lambda: _pushed(hub), within=360)
                stop.set()
                await running
            counts = await _external_ids(control, emulator)
        finally:
            await control.aclose()
    assert len(counts) == SALES
    assert max(counts.values()) == 1
    assert await _overlaps(hub) == []
