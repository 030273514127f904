"""The benches' rig: a warehouse's emulator in its own process, a hub with its worker, a tenant.

The emulator enforces the warehouse's limit (CIN7's 60 calls per minute per application
key by default, Zoho's 100 per organization; `worlds.WAREHOUSES`), with the minute
scaled down by `scale` so a bench covers many windows in little wall time; the tenant's
connection is given the same scaled budget, so the hub paces itself to what the
emulator allows. The hub (API, embedded worker and scheduler, as `tillsync serve` runs
them) lives in the bench's process, on SQLite in a temporary folder unless a database
URL is given.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from processes import backend_of, emulator_process
from tillsync.api.app import create_app
from tillsync.bootstrap import Hub
from tillsync.config import Settings
from tillsync.connectors.budget import BudgetSpec
from tillsync.jobs.budget import arrival_margin
from tillsync.logs import configure_logging
from tillsync.services.connections.lifecycle import connect
from tillsync.services.connections.links import budget_for
from tillsync.services.health import DEFAULT_INTERVAL_SECONDS
from tillsync.services.sync.pulls import sync_kind
from tillsync.services.tenants import create_tenant
from tillsync.serving import serve
from tillsync.store.tables import Job, JobAttempt
from worlds import Account, Warehouse
from worlds.warehouses import CIN7

CIN7_API = CIN7.api
CALLS_PER_MINUTE = CIN7.calls_per_minute

Seed = Callable[[httpx.AsyncClient, Account], Awaitable[None]]


@dataclass
class Rig:
    hub: Hub
    hub_url: str
    api_key: str
    tenant_id: str
    connection_id: str
    control: httpx.AsyncClient
    """The emulator's control surface (`/_emulator/...`), outside the rate limit."""
    provider: httpx.AsyncClient
    """The tenant's account at the provider, as the hub sees it (each call counts)."""
    world: Warehouse
    account: Account
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

    async def pulls_ended(self, *, within: float) -> None:
        """Wait until no pull of the connection is queued or running."""
        async with asyncio.timeout(within):
            while any(
                job.state not in ("success", "failed")
                for job in await self.jobs(sync_kind(self.world.name))
            ):
                await asyncio.sleep(0.2)

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


def retry_interval(scale: float) -> float:
    """The connection's retry schedule runs on the scaled clock too (default: 5 minutes)."""
    return DEFAULT_INTERVAL_SECONDS / scale


def scaling(scale: float, database_url: str | None, world: Warehouse = CIN7) -> str:
    """The header every bench prints: what was scaled, by how much, on which database."""
    window, limit = window_of(scale), world.calls_per_minute
    return (
        f"scale factor {scale:g}: {world.title}'s {limit} calls a minute enforced by the "
        f"emulator as {limit} calls per {window:g} s; the hub's budget of "
        f"{limit} per {window:g} s lets {hub_calls_per_minute(window, limit):.1f} through "
        f"per scaled minute (its {margin_of(window):g} s arrival margin; "
        f"{hub_calls_per_minute(60.0, limit):.1f} at scale 1); retries every "
        f"{retry_interval(scale):g} s ({DEFAULT_INTERVAL_SECONDS:g} s scaled); "
        f"{backend_of(database_url)}"
    )


def hub_calls_per_minute(window_seconds: float, lane_limit: int = CALLS_PER_MINUTE) -> float:
    """What the hub's budget lets through per scaled minute: its log spans the window plus an
    arrival margin, which has a floor and so weighs more the shorter the scaled minute."""
    return lane_limit * window_seconds / (window_seconds + margin_of(window_seconds))


def margin_of(window_seconds: float) -> float:
    """The budget's arrival margin (it depends on the window alone)."""
    return arrival_margin(BudgetSpec(calls=CALLS_PER_MINUTE, window_seconds=window_seconds))


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
    world: Warehouse = CIN7,
) -> AsyncIterator[Rig]:
    """Emulator seeded by `seed(control, account)` and rate-limited, hub up, tenant connected.

    The connection's first catalog sync is queued by `connect`, as in production.
    """
    window = window_of(scale)
    async with (
        emulator_process(folder, world.name) as url,
        httpx.AsyncClient(base_url=url, timeout=120) as control,
    ):
        account = await world.open_account(control)
        await seed(control, account)
        limits = world.limits(window)
        (await control.put("/_emulator/settings", json=limits)).raise_for_status()
        settings, app = hub_app(folder, database_url)
        async with (
            httpx.AsyncClient(
                base_url=url + world.api,
                headers=account.headers,
                params=account.params,
                timeout=120,
            ) as provider,
            AsyncExitStack() as running,
        ):
            hub_url = await running.enter_async_context(serve(app))
            settings.public_url = hub_url  # the provider's webhooks must reach this server
            hub: Hub = app.state.hub
            tenant = await create_tenant(hub.uows, name="Bench Barbershop")
            scaled = {
                "rate_limit": {"calls": world.calls_per_minute, "window_seconds": window},
                "retry_interval_seconds": retry_interval(scale),
            }
            connection = await connect(
                hub.services,
                provider=world.name,
                tenant_id=tenant.tenant_id,
                credentials=account.credentials,
                base_url=url + world.api,
                settings={**scaled, **account.settings, **connection_settings},
                roles=world.roles,
            )
            name, spec = budget_for(hub.services, connection)
            yield Rig(
                hub=hub,
                hub_url=hub_url,
                api_key=tenant.api_key,
                tenant_id=tenant.tenant_id,
                connection_id=connection.id,
                control=control,
                provider=provider,
                world=world,
                account=account,
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
