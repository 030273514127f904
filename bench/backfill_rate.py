"""How much of CIN7's rate budget a backfill uses, and whether it is ever throttled.

Starts the CIN7 emulator as its own process with many generated products, limits it to
CIN7's 60 calls per minute (the minute scaled down by --scale), starts a hub with its
worker and connects a tenant with the same scaled budget. `connect` queues the first
catalog sync (the backfill: every products page, then every availability page, 1,000
rows a page, in the bulk lane); the bench follows that job to its end and reads the
emulator's call log for the calls made meanwhile.

    python bench/backfill_rate.py [--products 30000] [--scale 10] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from rig import (
    CALLS_PER_MINUTE,
    CIN7_API,
    Rig,
    backend_of,
    busiest_window,
    command_line,
    open_rig,
    window_of,
)
from tillsync.jobs.budget import ARRIVAL_MARGIN_SECONDS, lane_limit
from tillsync.connectors.budget import BudgetSpec
from tillsync.store.tables import Job, JobAttempt

SYNC_KIND = "cin7.sync_catalog"
PAGE_PATHS = {
    f"{CIN7_API}/product": "products",
    f"{CIN7_API}/ref/productavailability": "availability",
}


async def backfill(rig: Rig, *, timeout: float) -> Job:
    """The sync `connect` queued, once it has ended (the first sync of the connection)."""
    async with asyncio.timeout(timeout):
        while True:
            first = (await rig.jobs(SYNC_KIND))[0]
            if first.state in ("success", "failed"):
                return first
            await asyncio.sleep(0.5)


async def attempts(rig: Rig, job_id: str) -> Counter[str]:
    async with rig.hub.uows.read() as session:
        outcomes = await session.scalars(
            select(JobAttempt.outcome).where(JobAttempt.job_id == job_id)
        )
        return Counter(str(outcome) for outcome in outcomes)


async def measure(rig: Rig, job: Job) -> dict[str, Any]:
    assert job.completed_at is not None
    calls = [c for c in await rig.calls(job.created_at) if c["time"] <= job.completed_at]
    pages = [c for c in calls if c["path"] in PAGE_PATHS]
    times = [c["time"] for c in calls]
    elapsed = (job.completed_at - job.created_at).total_seconds()
    calling = (pages[-1]["time"] - pages[0]["time"]).total_seconds() if len(pages) > 1 else 0.0
    per_second = CALLS_PER_MINUTE / rig.window_seconds
    others = [c for c in await rig.jobs(SYNC_KIND) if c.id != job.id]
    phases = {
        name: [c["time"] for c in pages if PAGE_PATHS[c["path"]] == name]
        for name in ("products", "availability")
    }
    return {
        "state": job.state,
        "products": job.checkpoint.get("products", 0),
        "stock_rows": job.checkpoint.get("rows", 0),
        "pages": job.checkpoint.get("pages", 0),
        "calls": len(calls),
        "page_calls": Counter(PAGE_PATHS[c["path"]] for c in pages),
        "throttled": sum(c["throttled"] for c in calls),
        "failed_calls": sum(not c["throttled"] and not 200 <= c["status"] < 300 for c in calls),
        "elapsed": elapsed,
        "calling": calling,
        "rate_job": len(calls) / (elapsed * per_second) if elapsed else 0.0,
        # n pages are n-1 gaps: the first page's call opens the span, it does not use it
        "rate_calling": (len(pages) - 1) / (calling * per_second) if calling else 0.0,
        "busiest": busiest_window(times, rig.window_seconds),
        "attempts": await attempts(rig, job.id),
        "gaps": {name: mean_gap(times) for name, times in phases.items()},
        "apply": (job.completed_at - pages[-1]["time"]).total_seconds() if pages else 0.0,
        "other_syncs": [(j.idempotency_key.split(":", 1)[1], j.state) for j in others],
    }


def mean_gap(times: list[dt.datetime]) -> float:
    return (times[-1] - times[0]).total_seconds() / (len(times) - 1) if len(times) > 1 else 0.0


def report(figures: dict[str, Any], args: argparse.Namespace, window: float) -> None:
    spec = BudgetSpec(calls=CALLS_PER_MINUTE, window_seconds=window)
    bulk = lane_limit(spec, "bulk")
    ceiling = bulk / (window + ARRIVAL_MARGIN_SECONDS) / (CALLS_PER_MINUTE / window)
    pages = figures["page_calls"]
    print(f"\nbackfill bench: {command_line()}")
    print(
        f"scale factor {args.scale:g}: CIN7's {CALLS_PER_MINUTE} calls a minute enforced by "
        f"the emulator as {CALLS_PER_MINUTE} calls per {window:g} s; {backend_of(args.database_url)}"
    )
    rows = [
        ("job state", figures["state"]),
        ("products pulled", figures["products"]),
        ("availability rows pulled", figures["stock_rows"]),
        ("pages (products + availability)", f"{pages['products']} + {pages['availability']}"),
        ("CIN7 calls while the job ran", figures["calls"]),
        ("throttled answers (429)", figures["throttled"]),
        ("other failed answers", figures["failed_calls"]),
        ("job elapsed, queued to done", f"{figures['elapsed']:.1f} s wall"),
        ("  in scaled windows", f"{figures['elapsed'] / window:.1f}"),
        ("first to last page call", f"{figures['calling']:.1f} s wall"),
        ("achieved rate over the job", f"{figures['rate_job']:.1%} of the budget"),
        ("achieved rate, first to last page", f"{figures['rate_calling']:.1%} of the budget"),
        ("busiest rolling window", f"{figures['busiest']} calls (limit {CALLS_PER_MINUTE})"),
        ("bulk lane ceiling", f"{ceiling:.1%} ({bulk} grants per {window:g}+1 s)"),
        ("budget's pace", f"{window / CALLS_PER_MINUTE:.3f} s a call"),
        ("mean gap between product pages", f"{figures['gaps']['products']:.3f} s"),
        ("mean gap between availability pages", f"{figures['gaps']['availability']:.3f} s"),
        ("last page to job done (apply)", f"{figures['apply']:.1f} s wall"),
        ("job attempts by outcome", dict(figures["attempts"])),
        ("other catalog syncs queued", figures["other_syncs"] or "none"),
    ]
    width = max(len(name) for name, _ in rows) + 2
    for name, value in rows:
        print(f"  {name:<{width}}{value}")


async def main(args: argparse.Namespace) -> None:
    window = window_of(args.scale)

    async def seed(control: httpx.AsyncClient, account_id: str) -> None:
        body = {"account_id": account_id, "count": args.products}
        (await control.post("/_emulator/products/generate", json=body)).raise_for_status()

    with tempfile.TemporaryDirectory() as folder:
        async with open_rig(
            Path(folder),
            scale=args.scale,
            database_url=args.database_url,
            seed=seed,
            connection_settings=args.connection_settings,
        ) as rig:
            job = await backfill(rig, timeout=args.timeout)
            figures = await measure(rig, job)
    report(figures, args, window)


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=30_000)
    parser.add_argument(
        "--scale", type=float, default=10.0, help="CIN7's minute lasts 60/scale seconds"
    )
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default: SQLite)")
    parser.add_argument("--timeout", type=float, default=600.0, help="give up after (s)")
    args = parser.parse_args()
    args.connection_settings = {"auto_sync": False}
    return args


if __name__ == "__main__":
    started = dt.datetime.now(dt.UTC)
    asyncio.run(main(parse()))
