"""Order latency: how long after an ordering app's order it exists at the POS.

Starts the POS's emulator (--provider: Square, Zoho Inventory or Dine) as its own process
with one seller, a hub with its worker, and connects a tenant to the seller as seed 004's
connect does (`worlds.POS`). It then places orders through `POST /api/v1/orders` at a
steady rate (--rate a second for --seconds), waits until every push has ended, rests
(--rest-seconds, so the burst meets a budget the steady phase no longer holds) and places
a burst (--burst orders at once), waiting again (at most --drain-seconds each time).
The POS's emulator enforces its real limit, and the hub paces itself to it: the default
steady rate and burst of each POS fit its limit (Zoho: 100 calls a minute, two an order,
so a burst of 40 is 80 calls), so they measure the hub; a burst beyond a minute's budget
measures the limit.

An order's latency is the moment its push job succeeded minus the moment the hub accepted
the order (the order's row, stored with its job in one transaction). The emulator's own
orders are then counted by our reference: each order must be at the POS exactly once.
Seed 004 asks that 95 % of orders reach the POS within 10 s; our target is a p95 under 1 s.

    python bench/order_latency.py [--provider square|zoho|dine] [--rate 2] [--seconds 60]
                                  [--burst 100] [--rest-seconds 0] [--drain-seconds 60]
                                  [--database-url URL] [--worker-concurrency 4]
                                  [--worker-processes 0]

Square's figures are the defaults; Zoho's are --rate 0.5 --burst 40 --rest-seconds 61,
Dine's --rate 0.5 --burst 50 --rest-seconds 61 (`worlds.pos`), with --drain-seconds 120.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from processes import backend_of, command_line, emulator_process, run, separate_workers
from rig import hub_app, percentile
from tillsync.bootstrap import Hub
from tillsync.services.connections.lifecycle import connect
from tillsync.services.orders import subject
from tillsync.services.outbound.kinds import PUSH_ORDER, kind
from tillsync.services.tenants import create_tenant
from tillsync.serving import serve
from tillsync.store.tables import Job, Order, WorkerHeartbeat
from worlds import POS, PosWorld
from worlds.pos import Seller

SETTLED = ("success", "failed")
DISHES = (
    {"dish_id": "dish-margherita", "name": "Margherita", "quantity": 1, "unit_price": 12.5},
    {"dish_id": "dish-chai", "name": "Masala Chai", "quantity": 2, "unit_price": 3},
)


@dataclass
class Bench:
    hub: Hub
    hub_url: str
    api_key: str
    tenant_id: str
    control: httpx.AsyncClient
    world: PosWorld
    seller: Seller

    @property
    def push_kind(self) -> str:
        return kind(self.world.name, PUSH_ORDER)


@dataclass(frozen=True)
class Phase:
    name: str
    orders: list[str]
    statuses: Counter[int]
    sending_seconds: float
    drained: bool


@asynccontextmanager
async def open_bench(
    folder: Path,
    database_url: str | None,
    *,
    world: PosWorld,
    worker_concurrency: int,
    worker_processes: int,
) -> AsyncIterator[Bench]:
    """Emulator with one seller, hub up (its worker embedded, or in `worker_processes` of
    its own), a tenant connected to the seller."""
    async with (
        emulator_process(folder, world.name) as url,
        httpx.AsyncClient(base_url=url, timeout=60) as control,
    ):
        seller = await world.open_seller(control)
        settings, app = hub_app(
            folder,
            database_url,
            worker_concurrency=worker_concurrency,
            embedded_worker=not worker_processes,
        )
        async with serve(app) as hub_url, separate_workers(settings, worker_processes):
            settings.public_url = hub_url
            hub: Hub = app.state.hub
            await workers_up(hub, worker_processes)
            tenant = await create_tenant(hub.uows, name="Bench Bistro")
            await connect(
                hub.services,
                provider=world.name,
                tenant_id=tenant.tenant_id,
                credentials=seller.credentials,
                base_url=url + seller.api,
                settings=seller.settings,
            )
            yield Bench(hub, hub_url, tenant.api_key, tenant.tenant_id, control, world, seller)


async def workers_up(hub: Hub, count: int) -> None:
    """Wait until the worker processes beat, so no phase times their start."""
    async with asyncio.timeout(60):
        while True:
            async with hub.uows.read() as session:
                beating = await session.scalar(select(func.count()).select_from(WorkerHeartbeat))
            if int(beating or 0) >= count:
                return
            await asyncio.sleep(0.1)


async def place(
    bench: Bench, name: str, *, count: int, per_second: float | None, drain_seconds: float
) -> Phase:
    """`count` orders, at `per_second` (each sent on time whatever the others do) or all at
    once; then wait for their pushes to end."""
    statuses: Counter[int] = Counter()
    ids = [f"BENCH-{name}-{n:05d}" for n in range(1, count + 1)]
    headers = {"Authorization": f"Bearer {bench.api_key}"}
    async with httpx.AsyncClient(base_url=bench.hub_url, headers=headers, timeout=60) as app:

        async def one(order_id: str) -> None:
            body = {
                "business_id": bench.tenant_id,
                "order_id": order_id,
                "currency": "USD",
                "items": list(DISHES),
                "customer": {"name": "Bench Diner", "phone": "+1 555 0100"},
            }
            try:
                statuses[(await app.post("/api/v1/orders", json=body)).status_code] += 1
            except httpx.HTTPError:
                statuses[0] += 1

        began = time.perf_counter()
        sending: list[asyncio.Task[None]] = []
        for number, order_id in enumerate(ids):
            if per_second is not None:
                await asyncio.sleep(max(0.0, began + number / per_second - time.perf_counter()))
            sending.append(asyncio.create_task(one(order_id)))
        await asyncio.gather(*sending)
        sent = time.perf_counter() - began
    drained = await drain(bench, cap_seconds=drain_seconds)
    return Phase(name, ids, statuses, sent, drained)


async def drain(bench: Bench, *, cap_seconds: float) -> bool:
    """Wait until every push has ended; False if the cap came first."""
    deadline = time.perf_counter() + cap_seconds
    while time.perf_counter() < deadline:
        if all(job.state in SETTLED for job in await pushes(bench)):
            return True
        await asyncio.sleep(0.2)
    return False


async def pushes(bench: Bench) -> list[Job]:
    async with bench.hub.uows.read() as session:
        return list(await session.scalars(select(Job).where(Job.kind == bench.push_kind)))


async def latencies(bench: Bench, phase: Phase) -> tuple[list[float], Counter[str]]:
    """Seconds from acceptance to the push's success, for the phase's orders that made it;
    and every push's state."""
    async with bench.hub.uows.read() as session:
        orders = list(
            await session.scalars(
                select(Order).where(
                    Order.tenant_id == bench.tenant_id, Order.order_id.in_(phase.orders)
                )
            )
        )
    jobs = {job.subject: job for job in await pushes(bench)}
    found, states = [], Counter[str]()
    for order in orders:
        job = jobs.get(subject(order))
        states[job.state if job else "none"] += 1
        if job is not None and job.state == "success" and job.completed_at is not None:
            found.append((job.completed_at - order.created_at).total_seconds())
    return found, states


def rows_of(phase: Phase, lags: list[float], states: Counter[str], held: Counter[str]) -> list[Any]:
    once = sum(held[order_id] == 1 for order_id in phase.orders)
    twice = sum(held[order_id] > 1 for order_id in phase.orders)
    rows: list[tuple[str, Any]] = [
        ("orders placed (HTTP status: count)", dict(phase.statuses)),
        ("sending time", f"{phase.sending_seconds:.1f} s"),
        ("pushes by state", dict(states)),
        ("at the POS exactly once", f"{once} of {len(phase.orders)}"),
        ("at the POS more than once", twice),
    ]
    if not phase.drained:
        rows.append(("drain", "cap reached: some pushes had not ended"))
    if lags:
        for name, share in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99), ("max", 1.0)):
            rows.append((f"latency {name}", f"{percentile(lags, share) * 1000:8.0f} ms"))
        within = sum(lag < 10 for lag in lags) / len(phase.orders)
        rows.append(("under 10 s (seed 004: 95 %)", f"{within:.1%}"))
        under = sum(lag < 1 for lag in lags) / len(phase.orders)
        rows.append(("under 1 s", f"{under:.1%}"))
    return rows


async def main(args: argparse.Namespace) -> None:
    world = POS[args.provider]
    rate = world.rate if args.rate is None else args.rate
    burst_size = world.burst if args.burst is None else args.burst
    rest = world.rest_seconds if args.rest_seconds is None else args.rest_seconds
    with tempfile.TemporaryDirectory() as folder:
        async with open_bench(
            Path(folder),
            args.database_url,
            world=world,
            worker_concurrency=args.worker_concurrency,
            worker_processes=args.worker_processes,
        ) as bench:
            steady = await place(
                bench,
                "steady",
                count=round(rate * args.seconds),
                per_second=rate,
                drain_seconds=args.drain_seconds,
            )
            await asyncio.sleep(rest)
            burst = await place(
                bench, "burst", count=burst_size, per_second=None, drain_seconds=args.drain_seconds
            )
            measured = [(phase, *await latencies(bench, phase)) for phase in (steady, burst)]
            held = await world.references(bench.control, bench.seller)
    print(f"\norder latency bench: {command_line()}")
    where = (
        f"hub and worker ({args.worker_concurrency} slots) in this one"
        if not args.worker_processes
        else f"hub in this one, {args.worker_processes} worker process(es) of "
        f"{args.worker_concurrency} slots"
    )
    print(
        f"order accepted by the hub → its {world.title} push job succeeded; {world.title} "
        f"emulator in its own process at its limit ({world.limit}), {where}; "
        f"{backend_of(args.database_url)}; {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
    )
    titles = {
        "steady": f"steady: {rate:g} orders a second for {args.seconds:g} s",
        "burst": f"burst: {burst_size} orders at once, after a rest of {rest:g} s",
    }
    for phase, lags, states in measured:
        rows = rows_of(phase, lags, states, held)
        print(f"\n{titles[phase.name]}")
        width = max(len(name) for name, _ in rows) + 2
        for name, value in rows:
            print(f"  {name:<{width}}{value}")


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provider", choices=sorted(POS), default="square")
    parser.add_argument(
        "--rate", type=float, default=None, help="orders a second, steady phase (square: 2)"
    )
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the steady phase")
    parser.add_argument("--burst", type=int, default=None, help="orders at once (square: 100)")
    parser.add_argument(
        "--rest-seconds", type=float, default=None, help="pause before the burst (square: 0)"
    )
    parser.add_argument(
        "--drain-seconds", type=float, default=60.0, help="wait for pushes after each phase"
    )
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default: SQLite)")
    parser.add_argument(
        "--worker-concurrency",
        type=int,
        default=4,
        help="the worker's slots (the hub's default: 4)",
    )
    parser.add_argument(
        "--worker-processes",
        type=int,
        default=0,
        help="`tillsync worker` processes beside the hub (0: the hub's embedded worker)",
    )
    return parser.parse_args()


if __name__ == "__main__":
    run(main(parse()))
