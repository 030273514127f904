"""A full CIN7 sync of a large catalog against CIN7's 60 calls a minute: time and memory.

Starts the CIN7 emulator as its own process with --products generated products, limits it
to 60 calls per minute (the minute scaled down by --scale), starts a hub with its worker
and connects a tenant with the same scaled budget (bench/rig.py). Two full syncs are
measured:

1. the first, which `connect` queues: every products page, every availability page, and
   the apply step that creates every stock row (the hub starts empty);
2. a second one asked for as `POST /api/cin7/sync` does, against a hub that holds the
   whole catalog: every row is compared and confirmed.

Each is reported as a ratio to the rate-limit floor (pages needed ÷ 60 per scaled minute;
target ≤ 1.1×) with the hub's peak memory (target ≤ 200 MB). The hub runs in this process
(the emulator in its own), so the figure is the peak resident set of this process
(`VmHWM`, reset before each sync): an upper bound on the hub's own.

CIN7's real minute is the default: about 3.2 minutes a sync for 100,000 products.

    python bench/full_sync.py [--products 100000] [--scale 1] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import tempfile
from pathlib import Path
from typing import Any

import httpx

from rig import (
    CALLS_PER_MINUTE,
    CIN7_API,
    Rig,
    busiest_window,
    command_line,
    open_rig,
    run,
    scaling,
)
from tillsync.connectors.cin7.client import MAX_LIMIT
from tillsync.services.sync.pulls import request_pull, sync_kind
from tillsync.store.tables import Job

SYNC_KIND = sync_kind("cin7")
PAGE_PATHS = {
    f"{CIN7_API}/product": "products",
    f"{CIN7_API}/ref/productavailability": "availability",
}
STATUS = Path("/proc/self/status")


def peak_kib() -> int:
    for line in STATUS.read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def reset_peak() -> bool:
    """Start the peak resident set afresh (Linux: writing 5 to clear_refs)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


async def finished(rig: Rig, job_id: str, *, within: float) -> Job:
    async with asyncio.timeout(within):
        while True:
            job = next(j for j in await rig.jobs(SYNC_KIND) if j.id == job_id)
            if job.state in ("success", "failed"):
                return job
            await asyncio.sleep(0.5)


async def measure(rig: Rig, job: Job, *, reset: bool) -> dict[str, Any]:
    assert job.completed_at is not None
    calls = [c for c in await rig.calls(job.created_at) if c["time"] <= job.completed_at]
    pages = [c for c in calls if c["path"] in PAGE_PATHS]
    elapsed = (job.completed_at - job.created_at).total_seconds()
    floor = len(pages) * rig.window_seconds / CALLS_PER_MINUTE
    return {
        "state": job.state,
        "products": job.checkpoint.get("products", 0),
        "stock_rows": job.checkpoint.get("rows", 0),
        "pages": {
            name: sum(PAGE_PATHS[c["path"]] == name for c in pages)
            for name in ("products", "availability")
        },
        "calls": len(calls),
        "throttled": sum(c["throttled"] for c in calls),
        "elapsed": elapsed,
        "floor": floor,
        "ratio": elapsed / floor if floor else math.inf,
        "apply": (job.completed_at - pages[-1]["time"]).total_seconds() if pages else 0.0,
        "busiest": busiest_window([c["time"] for c in calls], rig.window_seconds),
        "peak_mb": peak_kib() / 1024,
        "peak_since": "this sync began" if reset else "the bench began",
    }


def report(title: str, figures: dict[str, Any]) -> None:
    pages = figures["pages"]
    rows: list[tuple[str, Any]] = [
        ("job state", figures["state"]),
        ("products / availability rows", f"{figures['products']} / {figures['stock_rows']}"),
        ("pages (products + availability)", f"{pages['products']} + {pages['availability']}"),
        ("CIN7 calls while the job ran", figures["calls"]),
        ("throttled answers", figures["throttled"]),
        ("busiest rolling window", f"{figures['busiest']} calls (limit {CALLS_PER_MINUTE})"),
        ("elapsed, queued to done", f"{figures['elapsed']:.1f} s"),
        ("  last page call to done (apply)", f"{figures['apply']:.1f} s"),
        ("rate-limit floor (pages ÷ 60/min)", f"{figures['floor']:.1f} s"),
        ("ratio to the floor (target ≤ 1.1)", f"{figures['ratio']:.2f}×"),
        (
            "peak memory (target ≤ 200 MB)",
            f"{figures['peak_mb']:.0f} MB (VmHWM since {figures['peak_since']})",
        ),
    ]
    print(f"\n{title}")
    width = max(len(name) for name, _ in rows) + 2
    for name, value in rows:
        print(f"  {name:<{width}}{value}")


async def main(args: argparse.Namespace) -> None:
    async def seed(control: httpx.AsyncClient, account_id: str) -> None:
        body = {"account_id": account_id, "count": args.products}
        (await control.post("/_emulator/products/generate", json=body)).raise_for_status()

    print(f"full sync bench: {command_line()}")
    print(scaling(args.scale, args.database_url))
    print(f"{args.products} products, {MAX_LIMIT} rows a page")
    with tempfile.TemporaryDirectory() as folder:
        async with open_rig(
            Path(folder),
            scale=args.scale,
            database_url=args.database_url,
            seed=seed,
            connection_settings={"auto_sync": False},
        ) as rig:
            reset = reset_peak()
            first = (await rig.jobs(SYNC_KIND))[0]
            job = await finished(rig, first.id, within=args.timeout)
            report("1. first full sync (empty hub)", await measure(rig, job, reset=reset))
            reset = reset_peak()
            queued = await request_pull(rig.hub.services, tenant_id=rig.tenant_id, mode="full")
            job = await finished(rig, queued.job_id, within=args.timeout)
            figures = await measure(rig, job, reset=reset)
            report("2. full sync on request (hub holds the catalog)", figures)


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument(
        "--scale", type=float, default=1.0, help="CIN7's minute lasts 60/scale seconds"
    )
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default: SQLite)")
    parser.add_argument("--timeout", type=float, default=1800.0, help="give up after (s)")
    return parser.parse_args()


if __name__ == "__main__":
    run(main(parse()))
