"""A full sync of a large catalog against the warehouse's own limit: time and memory.

Starts the warehouse's emulator (--provider: CIN7, 60 calls a minute; Zoho Inventory, 100
a minute per organization) as its own process with --products generated products, limits
it (the minute scaled down by --scale), starts a hub with its worker and connects a
tenant with the same scaled budget (bench/rig.py). Two full syncs are measured:

1. the first, which `connect` queues: every products page, every availability page, and
   the apply step that creates every stock row (the hub starts empty);
2. a second one asked for as `POST /api/cin7/sync` does, against a hub that holds the
   whole catalog: every row is compared and confirmed.

Each is reported as a ratio to the rate-limit floor (the calls the sync needs ÷ the limit per
scaled minute; target ≤ 1.1×): its listing pages (a page a call, the pages that answered),
and for Zoho the organization's locations, once, to find the connection's (the stock
listing is one location's). With it, the hub's peak memory (target ≤ 200 MB). The hub
runs in this process (the emulator in its own), so the figure is the peak resident set of
this process (`VmHWM`, reset before each sync): an upper bound on the hub's own.

The real minute is the default: about 3.2 minutes a sync for CIN7's 100,000 products, and
2 minutes for Zoho's 20,000 items (100 pages of items, 100 of one location's stock).

    python bench/full_sync.py [--provider cin7|zoho] [--products 100000 (zoho: 20000)]
                              [--scale 1] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import tempfile
from pathlib import Path
from typing import Any

import httpx

from processes import command_line, run
from rig import Rig, busiest_window, open_rig, scaling
from tillsync.services.sync.pulls import request_pull, sync_kind
from tillsync.store.tables import Job
from worlds import WAREHOUSES, Account

STATUS = Path("/proc/self/status")
CATALOGS = {"cin7": 100_000, "zoho": 20_000}
LISTINGS = ("products", "availability", "locations")


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
            job = next(j for j in await rig.jobs(sync_kind(rig.world.name)) if j.id == job_id)
            if job.state in ("success", "failed"):
                return job
            await asyncio.sleep(0.5)


async def measure(rig: Rig, job: Job, *, reset: bool) -> dict[str, Any]:
    assert job.completed_at is not None
    calls = [c for c in await rig.calls(job.created_at) if c["time"] <= job.completed_at]
    # What the sync needs: each listing page that answered (a refused one is asked again),
    # and the locations once (read again each time the job resumes: not needed).
    pages = [c for c in calls if rig.world.listing(c) and 200 <= c["status"] < 300]
    made = {name: sum(rig.world.listing(c) == name for c in pages) for name in LISTINGS}
    needed = made["products"] + made["availability"] + min(made["locations"], 1)
    elapsed = (job.completed_at - job.created_at).total_seconds()
    limit = rig.world.calls_per_minute
    floor = needed * rig.window_seconds / limit
    return {
        "state": job.state,
        "products": job.checkpoint.get("products", 0),
        "stock_rows": job.checkpoint.get("rows", 0),
        "pages": made,
        "needed": needed,
        "limit": limit,
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
        (
            "calls made (products + availability + locations)",
            f"{pages['products']} + {pages['availability']} + {pages['locations']}",
        ),
        ("  of which needed (the locations once)", figures["needed"]),
        ("calls while the job ran", figures["calls"]),
        ("throttled answers", figures["throttled"]),
        ("busiest rolling window", f"{figures['busiest']} calls (limit {figures['limit']})"),
        ("elapsed, queued to done", f"{figures['elapsed']:.1f} s"),
        ("  last page call to done (apply)", f"{figures['apply']:.1f} s"),
        (f"rate-limit floor (calls ÷ {figures['limit']}/min)", f"{figures['floor']:.1f} s"),
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
    world = WAREHOUSES[args.provider]
    products = args.products or CATALOGS[world.name]

    async def seed(control: httpx.AsyncClient, account: Account) -> None:
        await world.generate(control, account, products)

    print(f"full sync bench: {command_line()}")
    print(scaling(args.scale, args.database_url, world))
    print(f"{world.title}: {products} products, {world.page_size} rows a page")
    with tempfile.TemporaryDirectory() as folder:
        async with open_rig(
            Path(folder),
            scale=args.scale,
            database_url=args.database_url,
            seed=seed,
            connection_settings={"auto_sync": False},
            world=world,
        ) as rig:
            reset = reset_peak()
            first = (await rig.jobs(sync_kind(world.name)))[0]
            job = await finished(rig, first.id, within=args.timeout)
            report("1. first full sync (empty hub)", await measure(rig, job, reset=reset))
            reset = reset_peak()
            queued = await request_pull(rig.hub.services, tenant_id=rig.tenant_id, mode="full")
            job = await finished(rig, queued.job_id, within=args.timeout)
            figures = await measure(rig, job, reset=reset)
            report("2. full sync on request (hub holds the catalog)", figures)


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provider", choices=sorted(WAREHOUSES), default="cin7")
    parser.add_argument(
        "--products", type=int, default=None, help="cin7: 100,000 by default; zoho: 20,000"
    )
    parser.add_argument(
        "--scale", type=float, default=1.0, help="the provider's minute lasts 60/scale seconds"
    )
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default: SQLite)")
    parser.add_argument("--timeout", type=float, default=1800.0, help="give up after (s)")
    return parser.parse_args()


if __name__ == "__main__":
    run(main(parse()))
