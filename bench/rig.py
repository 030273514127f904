"""The benches' rig: a CIN7 emulator in its own process, a hub with its worker, a tenant.

The emulator enforces CIN7's 60 calls per minute per application key, with the minute
scaled down by `scale` so a bench covers many windows in little wall time; the tenant's
connection is given the same scaled budget, so the hub paces itself to what the
emulator allows. The hub (API, embedded worker and scheduler, as `tillsync serve` runs
them) lives in the bench's process, on SQLite in a temporary folder unless a database
URL is given.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shlex
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from tillsync.api.app import create_app
from tillsync.bootstrap import Hub
from tillsync.config import Settings
from tillsync.connectors.budget import BudgetSpec
from tillsync.jobs.budget import arrival_margin
from tillsync.logs import configure_logging
from tillsync.services.connections.lifecycle import connect
from tillsync.services.connections.links import budget_for
from tillsync.services.health import DEFAULT_INTERVAL_SECONDS
from tillsync.services.tenants import create_tenant
from tillsync.serving import serve
from tillsync.store.tables import Job, JobAttempt

CIN7_API = "/ExternalApi/v2"
CALLS_PER_MINUTE = 60  # CIN7's limit per API application
STARTUP_SECONDS = 30.0

Seed = Callable[[httpx.AsyncClient, str], Awaitable[None]]


@dataclass
class Rig:
    hub: Hub
    hub_url: str
    api_key: str
    tenant_id: str
    connection_id: str
    control: httpx.AsyncClient
    """The emulator's control surface (`/_emulator/...`), outside the rate limit."""
    cin7: httpx.AsyncClient
    """The tenant's CIN7 account, as the hub sees it (each call counts against the limit)."""
    window_seconds: float
    budget: str
    spec: BudgetSpec
    stop_hub: Callable[[], Awaitable[None]]
    """Stop the hub and its worker early; the emulator keeps running until the rig ends."""

    async def refusals(self) -> int:
        """How often the hub's shared budget said "not yet" (`RateBudgets.usage`)."""
        usage = await self.hub.services.budgets.usage(self.budget, self.spec)
        return int(usage["denied"])

    async def calls(self, since: dt.datetime) -> list[dict[str, Any]]:
        """The emulator's call log since `since`, times parsed."""
        answer = await self.control.get("/_emulator/calls", params={"since": since.isoformat()})
        answer.raise_for_status()
        rows: list[dict[str, Any]] = answer.json()
        for row in rows:
            row["time"] = dt.datetime.fromisoformat(row["time"])
        return rows

    async def attempts(self, job_ids: list[str]) -> tuple[Counter[str], Counter[str]]:
        """Outcomes of these jobs' attempts, and the errors the failed ones ended with."""
        async with self.hub.uows.read() as session:
            rows = (
                await session.execute(
                    select(JobAttempt.outcome, JobAttempt.error).where(
                        JobAttempt.job_id.in_(job_ids)
                    )
                )
            ).all()
        outcomes = Counter(outcome or "running" for outcome, _ in rows)
        errors = Counter(f"{outcome}: {error[:160]}" for outcome, error in rows if error)
        return outcomes, errors

    async def jobs(self, *kinds: str) -> list[Job]:
        async with self.hub.uows.read() as session:
            return list(
                await session.scalars(
                    select(Job)
                    .where(Job.connection_id == self.connection_id, Job.kind.in_(kinds))
                    .order_by(Job.created_at)
                )
            )


def window_of(scale: float) -> float:
    return 60.0 / scale


def run(main: Coroutine[Any, Any, None]) -> None:
    """`asyncio.run`, with SIGTERM handled like Ctrl+C: the emulator process always stops."""

    async def guarded() -> None:
        task = asyncio.current_task()
        assert task is not None
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
        await main

    try:
        asyncio.run(guarded())
    except asyncio.CancelledError:
        raise SystemExit(143) from None


def retry_interval(scale: float) -> float:
    """The connection's retry schedule runs on the scaled clock too (default: 5 minutes)."""
    return DEFAULT_INTERVAL_SECONDS / scale


def scaling(scale: float, database_url: str | None) -> str:
    """The header every bench prints: what was scaled, by how much, on which database."""
    window = window_of(scale)
    return (
        f"scale factor {scale:g}: CIN7's {CALLS_PER_MINUTE} calls a minute enforced by the "
        f"emulator as {CALLS_PER_MINUTE} calls per {window:g} s; the hub's budget of "
        f"{CALLS_PER_MINUTE} per {window:g} s lets {hub_calls_per_minute(window):.1f} through "
        f"per scaled minute (its {margin_of(window):g} s arrival margin; "
        f"{hub_calls_per_minute(60.0):.1f} at scale 1); retries every {retry_interval(scale):g} s "
        f"({DEFAULT_INTERVAL_SECONDS:g} s scaled); {backend_of(database_url)}"
    )


def hub_calls_per_minute(window_seconds: float, lane_limit: int = CALLS_PER_MINUTE) -> float:
    """What the hub's budget lets through per scaled minute: its log spans the window plus an
    arrival margin, which has a floor and so weighs more the shorter the scaled minute."""
    return lane_limit * window_seconds / (window_seconds + margin_of(window_seconds))


def margin_of(window_seconds: float) -> float:
    return arrival_margin(BudgetSpec(calls=CALLS_PER_MINUTE, window_seconds=window_seconds))


def command_line() -> str:
    return shlex.join([Path(sys.executable).name, *sys.argv])


def backend_of(database_url: str | None) -> str:
    return "PostgreSQL" if database_url else "SQLite (WAL, file in a temporary folder)"


@asynccontextmanager
async def emulator_process(folder: Path, provider: str = "cin7") -> AsyncIterator[str]:
    """`tillsync emulator <provider>` as its own process, so it does not share the hub's CPU."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TILLSYNC_")}
    errors = folder / f"emulator-{provider}.log"
    with errors.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tillsync",
            "emulator",
            provider,
            "--port",
            "0",
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=stderr,
        )
    try:
        assert process.stdout is not None
        async with asyncio.timeout(STARTUP_SECONDS):
            url = (await process.stdout.readline()).decode().strip()
        if not url.startswith("http://"):
            raise SystemExit(f"the emulator did not start:\n{errors.read_text()[-2000:]}")
        yield url
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                async with asyncio.timeout(10):
                    await process.wait()
            except TimeoutError:
                process.kill()
                await process.wait()


@asynccontextmanager
async def separate_workers(settings: Settings, count: int) -> AsyncIterator[None]:
    """`count` × `tillsync worker` beside the hub, as a production deployment runs them: the
    same database and vault folder, the hub's worker settings, quiet."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TILLSYNC_")}
    env |= {
        "TILLSYNC_DATA_DIR": str(settings.data_dir),
        "TILLSYNC_DATABASE_URL": settings.database_url,
        "TILLSYNC_WORKER_CONCURRENCY": str(settings.worker_concurrency),
        "TILLSYNC_JOB_POLL_SECONDS": str(settings.job_poll_seconds),
        "TILLSYNC_ALLOW_PRIVATE_ADDRESSES": "true",  # the emulator is on loopback
        "TILLSYNC_LOG_LEVEL": "WARNING",
    }
    processes = [
        await asyncio.create_subprocess_exec(sys.executable, "-m", "tillsync", "worker", env=env)
        for _ in range(count)
    ]
    try:
        yield
    finally:
        for process in processes:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                async with asyncio.timeout(10):
                    await process.wait()
            except TimeoutError:
                process.kill()
                await process.wait()


def hub_app(folder: Path, database_url: str | None, **chosen: Any) -> tuple[Settings, FastAPI]:
    """The hub's app (API, embedded worker and scheduler), quiet, its data in `folder`;
    `chosen`: settings the bench's arguments set."""
    configure_logging(level="WARNING", fmt="text")
    settings = Settings(
        _env_file=None,  # the bench is configured by its arguments alone
        data_dir=folder / "hub",
        database_url=database_url or "",
        log_level="WARNING",
        log_format="text",
        **chosen,
    )
    return settings, create_app(settings)


@asynccontextmanager
async def open_rig(
    folder: Path,
    *,
    scale: float,
    database_url: str | None,
    seed: Seed,
    connection_settings: dict[str, Any],
) -> AsyncIterator[Rig]:
    """Emulator seeded by `seed(control, account_id)` and rate-limited, hub up, tenant connected.

    The connection's first catalog sync is queued by `connect`, as in production.
    """
    window = window_of(scale)
    async with (
        emulator_process(folder) as url,
        httpx.AsyncClient(base_url=url, timeout=120) as control,
    ):
        account = (await control.post("/_emulator/accounts", json={})).json()
        await seed(control, account["account_id"])
        limits = {
            "rate_limit": CALLS_PER_MINUTE,
            "rate_window_seconds": window,
            "throttle_style": "429",
        }
        (await control.put("/_emulator/settings", json=limits)).raise_for_status()
        settings, app = hub_app(folder, database_url)
        async with (
            httpx.AsyncClient(
                base_url=url + CIN7_API,
                headers={
                    "api-auth-accountid": account["account_id"],
                    "api-auth-applicationkey": account["application_key"],
                },
                timeout=120,
            ) as cin7,
            AsyncExitStack() as running,
        ):
            hub_url = await running.enter_async_context(serve(app))
            settings.public_url = hub_url  # CIN7's webhooks must reach this server
            hub: Hub = app.state.hub
            tenant = await create_tenant(hub.uows, name="Bench Barbershop")
            scaled = {
                "rate_limit": {"calls": CALLS_PER_MINUTE, "window_seconds": window},
                "retry_interval_seconds": retry_interval(scale),
            }
            connection = await connect(
                hub.services,
                provider="cin7",
                tenant_id=tenant.tenant_id,
                credentials={
                    "account_id": account["account_id"],
                    "application_key": account["application_key"],
                },
                base_url=url + CIN7_API,
                settings={**scaled, **connection_settings},
            )
            name, spec = budget_for(hub.services, connection)
            yield Rig(
                hub=hub,
                hub_url=hub_url,
                api_key=tenant.api_key,
                tenant_id=tenant.tenant_id,
                connection_id=connection.id,
                control=control,
                cin7=cin7,
                window_seconds=window,
                budget=name,
                spec=spec,
                stop_hub=running.aclose,
            )


def busiest_window(times: list[dt.datetime], window_seconds: float) -> int:
    """Most calls inside any `window_seconds` (what the provider's rolling limit counts)."""
    span = dt.timedelta(seconds=window_seconds)
    most, first = 0, 0
    for last, moment in enumerate(times):
        while moment - times[first] >= span:
            first += 1
        most = max(most, last - first + 1)
    return most


def percentile(values: list[float], share: float) -> float:
    """Nearest rank: a value that was actually observed."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]
