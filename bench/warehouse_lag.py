"""Warehouse lag: how long after a POS sale its effect reaches CIN7, at one sale a second;
with `--provider zoho`, how long after a stock change at Zoho CHECK_INVENTORY answers it.

Starts the CIN7 emulator as its own process (one SKU, plenty of stock), limits it to CIN7's
60 calls per minute with the minute scaled down by --scale, starts a hub with its worker
and connects a tenant with the same scaled budget. It then records POS sales through the
hub's API at one sale per scaled second for --minutes scaled minutes, and waits until
every push has ended (or --drain-minutes more have passed).

A sale's lag is the moment the job carrying it succeeded (its own push, or the batch push
it was handed to) minus the moment the hub recorded it. Lags are printed in wall seconds
and scaled back to CIN7's real minute (× scale). Scaling back also multiplies what does not
shrink with the minute (HTTP and database time, worker polling, and the budget's arrival
margin, half a second at least, which at scale 10 leaves the hub 60 calls per 6.5 s, not 6 s), so
the real-time figures lean pessimistic; the header says what the margin leaves.
`--push-mode per_sale` shows what happens without batching: three calls a sale against 60
a minute is a backlog that only grows. Zoho's figures (by workflow webhook and by poll
alone, at its real limit) are bench/stock_lag.py's.

    python bench/warehouse_lag.py [--minutes 10] [--scale 10] [--push-mode auto]
                                  [--database-url URL]
    python bench/warehouse_lag.py --provider zoho [--changes 20] [--poll-minutes 1]
                                  [--probe-ms 20] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

import stock_lag
from processes import command_line, run
from rig import (
    CALLS_PER_MINUTE,
    CIN7_API,
    Rig,
    busiest_window,
    open_rig,
    percentile,
    scaling,
    window_of,
)
from tillsync.store.tables import Sale
from worlds import WAREHOUSES, Account

SKU = "TOMB45SHAVECBLCK"
STOCK = 1_000_000
PUSH_KIND = "cin7.push_sale"
BATCH_KIND = "cin7.push_batch"
SETTLED = ("success", "failed")


@dataclass(frozen=True)
class Outcome:
    """One POS sale: when the hub recorded it, and when CIN7 had it (None: not yet)."""

    created: dt.datetime
    reached: dt.datetime | None
    document: str | None


async def sell(rig: Rig, *, count: int, per_second: float) -> Counter[int]:
    """`count` sales at a steady `per_second`, each sent on time whatever the others do."""
    statuses: Counter[int] = Counter()
    headers = {"Authorization": f"Bearer {rig.api_key}"}
    async with httpx.AsyncClient(base_url=rig.hub_url, headers=headers, timeout=60) as pos:

        async def one(number: int) -> None:
            body = {
                "action": "RECORD_SALE",
                "saleId": f"BENCH-{number:06d}",
                "items": [{"sku": SKU, "quantity": 1, "price": 29.99}],
            }
            try:
                statuses[(await pos.post("/api/cin7/sale-sync", json=body)).status_code] += 1
            except httpx.HTTPError:
                statuses[0] += 1

        began = time.perf_counter()
        sending: list[asyncio.Task[None]] = []
        for number in range(count):
            await asyncio.sleep(max(0.0, began + number / per_second - time.perf_counter()))
            sending.append(asyncio.create_task(one(number + 1)))
        await asyncio.gather(*sending)
    return statuses


async def outcomes(rig: Rig) -> list[Outcome]:
    async with rig.hub.uows.read() as session:
        sales = list(
            await session.scalars(
                select(Sale).where(Sale.tenant_id == rig.tenant_id, Sale.source == "pos")
            )
        )
    jobs = {job.id: job for job in await rig.jobs(PUSH_KIND, BATCH_KIND)}
    pushes = {job.subject: job for job in jobs.values() if job.kind == PUSH_KIND}
    found = []
    for sale in sales:
        job = pushes.get(f"sale:{sale.id}")
        if job is not None and job.state == "batched":  # handed over: the batch carries it
            job = jobs.get(str(job.checkpoint.get("batch_job_id")))
        carrier = job if job is not None and job.state == "success" else None
        found.append(
            Outcome(
                created=sale.created_at,
                reached=carrier.completed_at if carrier else None,
                document=carrier.id if carrier else None,
            )
        )
    return found


async def drain(rig: Rig, *, cap_seconds: float) -> bool:
    """Wait until every push has ended; False if the cap came first."""
    deadline = time.perf_counter() + cap_seconds
    while time.perf_counter() < deadline:
        jobs = await rig.jobs(PUSH_KIND, BATCH_KIND)
        if all(job.state in (*SETTLED, "batched") for job in jobs):
            return True
        await asyncio.sleep(0.5)
    return False


async def documents(rig: Rig) -> Counter[str]:
    """CIN7's sales by kind of ExternalID (read with the rate limit lifted: the hub is gone)."""
    (await rig.control.put("/_emulator/settings", json={"rate_limit": None})).raise_for_status()
    kinds: Counter[str] = Counter()
    page = 1
    while True:
        answer = await rig.provider.get("/saleList", params={"Page": page, "Limit": 1000})
        answer.raise_for_status()
        rows = answer.json()["SaleList"]
        for row in rows:
            batch = str(row.get("ExternalID", "")).startswith("tillsync-batch-")
            kinds["batch" if batch else "single"] += 1
        if len(rows) < 1000:
            return kinds
        page += 1


def backlog_by_minute(
    found: list[Outcome], *, opened: dt.datetime, minute: float, minutes: int
) -> list[tuple[int, int, int]]:
    """(scaled minute, sales recorded so far, of which CIN7 did not have yet) at each mark."""
    marks = []
    for n in range(1, minutes + 1):
        moment = opened + dt.timedelta(seconds=n * minute)
        recorded = sum(o.created <= moment for o in found)
        waiting = sum(
            o.created <= moment and (o.reached is None or o.reached > moment) for o in found
        )
        marks.append((n, recorded, waiting))
    return marks


async def main(args: argparse.Namespace) -> None:
    if args.provider != "cin7":
        await stock_lag.main(args, WAREHOUSES[args.provider])
        return
    window = window_of(args.scale)
    count = round(args.minutes * 60)

    async def seed(control: httpx.AsyncClient, account: Account) -> None:
        product = {"SKU": SKU, "Name": "Tomb45 Shaving Cream", "stock": {"Main Warehouse": STOCK}}
        body = {"account_id": account.id, "products": [product]}
        (await control.post("/_emulator/products", json=body)).raise_for_status()

    settings = {
        "push_mode": args.push_mode,
        "sync_interval_minutes": 15 / args.scale,  # the periodic sync keeps its real cadence
    }
    with tempfile.TemporaryDirectory() as folder:
        async with open_rig(
            Path(folder),
            scale=args.scale,
            database_url=args.database_url,
            seed=seed,
            connection_settings=settings,
        ) as rig:
            await rig.pulls_ended(within=60)  # the one `connect` queued, before the shop opens
            opened = dt.datetime.now(dt.UTC)
            statuses = await sell(rig, count=count, per_second=args.scale)
            closed = dt.datetime.now(dt.UTC)
            drained = await drain(rig, cap_seconds=args.drain_minutes * window)
            ended = dt.datetime.now(dt.UTC)
            found = await outcomes(rig)
            pushes = await rig.jobs(PUSH_KIND, BATCH_KIND)
            states = Counter(job.state for job in pushes)
            attempts, errors = await rig.attempts([job.id for job in pushes])
            refusals = await rig.refusals()
            calls = await rig.calls(opened)
            await rig.stop_hub()  # nothing may reach CIN7 between the log and its sales list
            kinds = await documents(rig)
    report(
        args,
        window=window,
        statuses=statuses,
        found=found,
        calls=[c for c in calls if c["time"] <= ended],
        kinds=kinds,
        states=states,
        attempts=attempts,
        errors=errors,
        refusals=refusals,
        times=(opened, closed, ended),
        drained=drained,
    )


def report(
    args: argparse.Namespace,
    *,
    window: float,
    statuses: Counter[int],
    found: list[Outcome],
    calls: list[dict[str, Any]],
    kinds: Counter[str],
    states: Counter[str],
    attempts: Counter[str],
    errors: Counter[str],
    refusals: int,
    times: tuple[dt.datetime, dt.datetime, dt.datetime],
    drained: bool,
) -> None:
    opened, closed, ended = times
    scale = args.scale
    reached = [o for o in found if o.reached is not None]
    # A sale CIN7 does not have yet has waited at least until the bench stopped looking.
    lags = [((o.reached or ended) - o.created).total_seconds() for o in found]
    bound = "≥ " if len(reached) < len(found) else ""
    carried = Counter(o.document for o in reached)
    print(f"\nwarehouse lag bench: {command_line()}")
    print(
        f"{scaling(scale, args.database_url)}; {scale:g} sales a wall second = "
        "1 sale a scaled second"
    )
    rows: list[tuple[str, Any]] = [
        ("push mode", args.push_mode),
        ("sales recorded (HTTP status: count)", dict(statuses)),
        (
            "selling time",
            f"{(closed - opened).total_seconds():.1f} s wall = "
            f"{(closed - opened).total_seconds() * scale / 60:.2f} scaled min",
        ),
        (
            "sales in CIN7 when selling stopped",
            sum(o.reached is not None and o.reached <= closed for o in found),
        ),
        ("sales in CIN7 at the end", f"{len(reached)} of {len(found)}"),
        ("backlog at the end", len(found) - len(reached)),
        (
            "watched after selling",
            f"{(ended - closed).total_seconds():.1f} s wall"
            + ("" if drained else f" (cap of {args.drain_minutes:g} scaled min reached)"),
        ),
    ]
    if lags:
        for name, share in (("p50", 0.5), ("p95", 0.95), ("max", 1.0)):
            wall = percentile(lags, share)
            rows.append(
                (f"lag {name}", f"{bound}{wall:7.2f} s wall = {bound}{wall * scale:7.1f} s real")
            )
        rows.append(("lag mean", f"{bound}{statistics.fmean(lags):7.2f} s wall"))
    rows += [
        ("CIN7 documents created (saleList)", f"{sum(kinds.values())} ({dict(kinds)})"),
        ("documents done, carrying the sales", len(carried)),
        ("sales per document", f"{len(reached) / len(carried):.1f}" if carried else "-"),
        ("largest document (sales)", max(carried.values()) if carried else "-"),
        ("push jobs by state", dict(states)),
        ("push attempts by outcome", dict(attempts)),
        ("CIN7 calls while measured", len(calls)),
        ("  by path", dict(Counter(c["path"].removeprefix(CIN7_API) for c in calls))),
        ("throttled answers", sum(c["throttled"] for c in calls)),
        (
            "other failed answers (0: dropped)",
            dict(Counter(c["status"] for c in calls if not 200 <= c["status"] < 300)) or 0,
        ),
        (
            "busiest rolling window",
            f"{busiest_window([c['time'] for c in calls], window)} calls "
            f"(limit {CALLS_PER_MINUTE})",
        ),
        ("budget refusals (hub)", refusals),
    ]
    width = max(len(name) for name, _ in rows) + 2
    for name, value in rows:
        print(f"  {name:<{width}}{value}")
    minutes = int((ended - opened).total_seconds() // window)
    print("\n  scaled minute   sales recorded   not yet in CIN7")
    for n, recorded, waiting in backlog_by_minute(
        found, opened=opened, minute=window, minutes=minutes
    ):
        print(f"  {n:>13}   {recorded:>14}   {waiting:>15}")
    for error, seen in errors.most_common():
        print(f"  failed attempt ×{seen}: {error}")


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="scaled minutes of selling")
    parser.add_argument(
        "--scale", type=float, default=10.0, help="CIN7's minute lasts 60/scale seconds"
    )
    parser.add_argument("--push-mode", choices=("auto", "batched", "per_sale"), default="auto")
    parser.add_argument(
        "--drain-minutes",
        type=float,
        default=10.0,
        help="scaled minutes to keep watching after selling stops",
    )
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default: SQLite)")
    parser.add_argument("--provider", choices=sorted(WAREHOUSES), default="cin7")
    zoho = parser.add_argument_group("zoho: a stock change's way to CHECK_INVENTORY")
    zoho.add_argument("--changes", type=int, default=20, help="stock changes a phase")
    zoho.add_argument("--poll-minutes", type=float, default=1.0, help="the periodic pull's")
    zoho.add_argument("--probe-ms", type=float, default=20.0, help="CHECK_INVENTORY every")
    return parser.parse_args()


if __name__ == "__main__":
    run(main(parse()))
