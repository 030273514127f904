"""How much of CIN7's rate budget a backfill uses, and whether it is ever throttled.

Starts the CIN7 emulator as its own process with many generated products, limits it to
CIN7's 60 calls per minute (the minute scaled down by --scale), starts a hub with its
worker and connects a tenant with the same scaled budget. `connect` queues the first
catalog sync (the backfill: every products page, then every availability page, 1,000
rows a page, in the bulk lane); the bench follows that job to its end and reads the
emulator's call log for the calls made meanwhile.

CIN7's real minute is the default (about a minute and a half for 30,000 products); a
scaled minute also scales the budget's arrival margin up against it (see rig.scaling).

    python bench/backfill_rate.py [--products 30000] [--scale 1] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import statistics
import tempfile
from pathlib import Path
from typing import Any

import httpx

from processes import command_line, run
from rig import (
    CALLS_PER_MINUTE,
    CIN7_API,
    Rig,
    busiest_window,
    hub_calls_per_minute,
    margin_of,
    open_rig,
    scaling,
    window_of,
)
from tillsync.connectors.budget import BudgetSpec
from tillsync.jobs.budget import lane_limit
from tillsync.store.tables import Job
from worlds import Account
from worlds.warehouses import CIN7

SYNC_KIND = "cin7.sync_catalog"
PAGE_PATHS = {
    f"{CIN7_API}/product": "products",
    f"{CIN7_API}/ref/productavailability": "availability",
}


async def backfill(rig: Rig, *, within: float) -> Job:
    """The sync `connect` queued, once it has ended (the first sync of the connection)."""
    async with asyncio.timeout(within):
        while True:
            first = (await rig.jobs(SYNC_KIND))[0]
            if first.state in ("success", "failed"):
                return first
            await asyncio.sleep(0.5)


async def measure(rig: Rig, job: Job) -> dict[str, Any]:
    assert job.completed_at is not None
    calls = [c for c in await rig.calls(job.created_at) if c["time"] <= job.completed_at]
    pages = [c for c in calls if c["path"] in PAGE_PATHS]
    elapsed = (job.completed_at - job.created_at).total_seconds()
    paging = (pages[-1]["time"] - pages[0]["time"]).total_seconds() if len(pages) > 1 else 0.0
    per_second = CALLS_PER_MINUTE / rig.window_seconds
    phases = {
        name: [c["time"] for c in pages if PAGE_PATHS[c["path"]] == name]
        for name in ("products", "availability")
    }
    others = [j for j in await rig.jobs(SYNC_KIND) if j.id != job.id]
    return {
        "state": job.state,
        "products": job.checkpoint.get("products", 0),
        "stock_rows": job.checkpoint.get("rows", 0),
        "pages": {name: len(times) for name, times in phases.items()},
        "calls": len(calls),
        "throttled": sum(c["throttled"] for c in calls),
        "failed_calls": sum(not c["throttled"] and not 200 <= c["status"] < 300 for c in calls),
        "elapsed": elapsed,
        "paging": paging,
        "rate_job": len(calls) / (elapsed * per_second) if elapsed else 0.0,
        # n pages make n-1 gaps: the first call opens the span, it does not use it up
        "rate_paging": (len(pages) - 1) / (paging * per_second) if paging else 0.0,
        "busiest": busiest_window([c["time"] for c in calls], rig.window_seconds),
        "gaps": {name: median_gap(times) for name, times in phases.items()},
        "apply": (job.completed_at - pages[-1]["time"]).total_seconds() if pages else 0.0,
        "attempts": (await rig.attempts([job.id]))[0],
        "refusals": await rig.refusals(),
        "other_syncs": [f"{j.idempotency_key.split(':', 1)[1]} ({j.state})" for j in others],
    }


def median_gap(times: list[dt.datetime]) -> float:
    """The typical time between two page calls: a wait for the budget's window is one gap
    among many and does not hide how long the hub takes over a page."""
    gaps = [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(times)]
    return statistics.median(gaps) if gaps else 0.0


def report(figures: dict[str, Any], args: argparse.Namespace, window: float) -> None:
    spec = BudgetSpec(calls=CALLS_PER_MINUTE, window_seconds=window)
    bulk = lane_limit(spec, "bulk")
    pace = window / CALLS_PER_MINUTE
    ceiling = hub_calls_per_minute(window, bulk) / CALLS_PER_MINUTE
    pages, gaps = figures["pages"], figures["gaps"]
    print(f"\nbackfill bench: {command_line()}")
    print(f"{scaling(args.scale, args.database_url)}; CIN7 allows one call per {pace:.3f} s")
    rows: list[tuple[str, Any]] = [
        ("job state", figures["state"]),
        ("products / availability rows", f"{figures['products']} / {figures['stock_rows']}"),
        ("pages (products + availability)", f"{pages['products']} + {pages['availability']}"),
        ("CIN7 calls while the job ran", figures["calls"]),
        ("throttled answers (429)", figures["throttled"]),
        ("other failed answers", figures["failed_calls"]),
        (
            "job elapsed, queued to done",
            f"{figures['elapsed']:.1f} s wall = {figures['elapsed'] / window:.1f} scaled min",
        ),
        ("  first to last page call", f"{figures['paging']:.1f} s wall"),
        ("  last page call to done (apply)", f"{figures['apply']:.1f} s wall"),
        ("achieved rate over the job", f"{figures['rate_job']:.1%} of the budget"),
        ("achieved rate while paging", f"{figures['rate_paging']:.1%} of the budget"),
        (
            "bulk lane's ceiling",
            f"{ceiling:.1%} ({bulk} grants per {window:g} s + {margin_of(window):g} s margin)",
        ),
        ("median gap, products pages", f"{gaps['products']:.3f} s"),
        ("median gap, availability pages", f"{gaps['availability']:.3f} s"),
        ("busiest rolling window", f"{figures['busiest']} calls (limit {CALLS_PER_MINUTE})"),
        ("budget refusals (hub)", figures["refusals"]),
        ("job attempts by outcome", dict(figures["attempts"])),
        ("other catalog syncs queued", ", ".join(figures["other_syncs"]) or "none"),
    ]
    width = max(len(name) for name, _ in rows) + 2
    for name, value in rows:
        print(f"  {name:<{width}}{value}")
    slowest = max(gaps.values())
    if slowest > 1.5 * pace:
        print(
            f"  → hub-bound: a page typically took the hub {slowest:.2f} s while the budget "
            f"allows a call every {pace:.3f} s; this figure measures the hub, not the budget"
        )


async def main(args: argparse.Namespace) -> None:
    async def seed(control: httpx.AsyncClient, account: Account) -> None:
        await CIN7.generate(control, account, args.products)

    with tempfile.TemporaryDirectory() as folder:
        async with open_rig(
            Path(folder),
            scale=args.scale,
            database_url=args.database_url,
            seed=seed,
            connection_settings={},
        ) as rig:
            job = await backfill(rig, within=args.timeout)
            figures = await measure(rig, job)
    report(figures, args, window_of(args.scale))


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=30_000)
    parser.add_argument(
        "--scale", type=float, default=1.0, help="CIN7's minute lasts 60/scale seconds"
    )
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default: SQLite)")
    parser.add_argument("--timeout", type=float, default=900.0, help="give up after (s)")
    return parser.parse_args()


if __name__ == "__main__":
    run(main(parse()))
