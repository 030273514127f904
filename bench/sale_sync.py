"""The sale endpoints' throughput and latency, each as a share of GET /healthz in the same run.

For each backend and catalog size, the hub's database is seeded in bulk (`sale_hub`), and
`tillsync serve --no-worker` runs on it in its own process, every setting its default.
Each endpoint is then driven for `--seconds` by `--clients` concurrent clients (closed
loop), once naming one hot SKU and once spread over 1,000 SKUs, all with ample stock:
a refusal (409, or a check answering `available: false`) is counted apart from errors.
CHECK_INVENTORY then runs open loop at half its closed-loop rate (or `--rate`), its
latencies counted from each request's planned start, for the p99 at half load.

    python bench/sale_sync.py [--backend sqlite|postgresql|both] [--catalog 1000,1000000]
        [--seconds 10] [--clients 16] [--rate R]
        [--database-url postgresql://user@127.0.0.1:5432/]

`--database-url` naming no database (or the server's `postgres`): the bench creates its own
and drops it after; naming another: the bench adds its tenant and products to it.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import subprocess
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import aiohttp

from loads import Call, Calls, Tally, closed_loop, open_loop
from processes import command_line, run
from rig import percentile
from sale_hub import SPREAD, Seeded, hub_process, own_database, queued, seed
from tillsync.config import Settings

SALE_SYNC = "/api/cin7/sale-sync"


@dataclass(frozen=True)
class Row:
    backend: str
    catalog: int
    endpoint: str
    skus: str
    load: str
    requests: int
    per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    refused: int
    errors: int
    ratio: float = 0.0


class Requests:
    """The calls of one run, on one aiohttp session (httpx tops out near 600 a second)."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session
        self.sales = itertools.count(1)
        self.run = uuid.uuid4().hex[:8]

    async def post(self, body: dict[str, Any]) -> tuple[int, bytes]:
        async with self.session.post(SALE_SYNC, json=body) as answer:
            return answer.status, await answer.read()

    def healthz(self) -> Calls:
        async def call() -> str:
            async with self.session.get("/healthz") as answer:
                await answer.read()
                return verdict(answer.status)

        return lambda: call

    def check(self, skus: Iterator[str]) -> Calls:
        async def call() -> str:
            body = {"action": "CHECK_INVENTORY", "sku": next(skus), "quantity": 1}
            status, text = await self.post(body)
            if status == 200 and b'"available":true' not in text:
                return "refused"
            return verdict(status)

        return lambda: call

    def sale(self, skus: Iterator[str]) -> Calls:
        async def call() -> str:
            body = {
                "action": "RECORD_SALE",
                "saleId": f"BENCH-{self.run}-{next(self.sales)}",
                "items": [{"sku": next(skus), "quantity": 1, "price": 29.99}],
            }
            return verdict((await self.post(body))[0])

        return lambda: call

    def hold_and_release(self, skus: Iterator[str]) -> Calls:
        """Each client alternates: RESERVE one unit, then RELEASE that reservation."""

        def client() -> Call:
            held: list[str] = []

            async def call() -> str:
                if held:
                    body = {"action": "RELEASE", "reservationId": held.pop()}
                    return verdict((await self.post(body))[0])
                async with self.session.post(
                    SALE_SYNC, json={"action": "RESERVE", "sku": next(skus), "quantity": 1}
                ) as answer:
                    if answer.status == 200:
                        held.append((await answer.json())["reservationId"])
                    else:
                        await answer.read()
                    return verdict(answer.status)

            return call

        return client


def verdict(status: int) -> str:
    return "ok" if status == 200 else "refused" if status == 409 else "error"


def row_of(tally: Tally, elapsed: float, **named: Any) -> Row:
    got = tally.latencies or [0.0]
    p50, p95, p99 = (percentile(got, share) * 1000 for share in (0.50, 0.95, 0.99))
    return Row(
        requests=len(tally.latencies),
        per_second=len(tally.latencies) / elapsed,
        p50_ms=p50,
        p95_ms=p95,
        p99_ms=p99,
        refused=tally.refused,
        errors=tally.errors,
        **named,
    )


async def measure(url: str, seeded: Seeded, args: argparse.Namespace, **named: Any) -> list[Row]:
    headers = {"Authorization": f"Bearer {seeded.api_key}"}
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(url, headers=headers, connector=connector) as session:
        requests = Requests(session)
        spreads = {"hot": [seeded.hot], str(SPREAD): list(seeded.spread)}
        closed = f"closed {args.clients}"

        async def closed_run(endpoint: str, skus: str, calls: Calls) -> Row:
            tally, elapsed = await closed_loop(calls, seconds=args.seconds, clients=args.clients)
            return row_of(tally, elapsed, endpoint=endpoint, skus=skus, load=closed, **named)

        warm_up = requests.check(itertools.cycle(spreads[str(SPREAD)]))
        await closed_loop(warm_up, seconds=1, clients=args.clients)  # pools, caches, key check
        rows = [await closed_run("GET /healthz", "-", requests.healthz())]
        kinds = (
            ("CHECK_INVENTORY", requests.check),
            ("RECORD_SALE", requests.sale),
            ("RESERVE/RELEASE", requests.hold_and_release),
        )
        for (endpoint, kind), (skus, chosen) in itertools.product(kinds, spreads.items()):
            rows.append(await closed_run(endpoint, skus, kind(itertools.cycle(chosen))))
        for skus, chosen in spreads.items():
            full = next(r for r in rows if r.endpoint == "CHECK_INVENTORY" and r.skus == skus)
            rate = args.rate or full.per_second / 2
            tally, elapsed = await open_loop(
                requests.check(itertools.cycle(chosen)), seconds=args.seconds, rate=rate
            )
            rows.append(
                row_of(
                    tally,
                    elapsed,
                    endpoint="CHECK_INVENTORY",
                    skus=skus,
                    load=f"open {rate:.0f}/s",
                    **named,
                )
            )
        rows.append(await closed_run("GET /healthz", "-", requests.healthz()))
    reference = (rows[0].per_second + rows[-1].per_second) / 2
    return [replace(row, ratio=row.per_second / reference) for row in rows]


@contextlib.asynccontextmanager
async def database_for(backend: str, database_url: str | None) -> AsyncIterator[str]:
    if backend == "sqlite":
        yield ""  # the hub's default: a SQLite file in its data folder
        return
    if not database_url:
        raise SystemExit("--backend postgresql needs --database-url")
    async with own_database(database_url) as url:
        yield url


async def one_hub(backend: str, catalog: int, args: argparse.Namespace) -> list[Row]:
    with tempfile.TemporaryDirectory() as folder:
        async with database_for(backend, args.database_url) as url:
            seeded = await seed(Path(folder), url, catalog=catalog)
            print(
                f"{backend}: {catalog:,} products and stock levels inserted in "
                f"{seeded.seconds:.1f} s",
                flush=True,
            )
            async with hub_process(Path(folder), url) as hub_url:
                rows = await measure(hub_url, seeded, args, backend=backend, catalog=catalog)
            sales, jobs = await queued(Path(folder), url)
            kinds = ", ".join(f"{count} {name}" for name, count in sorted(jobs.items()))
            print(f"{backend}, {catalog:,} products: {sales} sales recorded; jobs: {kinds}")
            return rows


def header(args: argparse.Namespace) -> str:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).parent,
    ).stdout.strip()
    load = " ".join(f"{figure:.2f}" for figure in os.getloadavg())
    defaults = Settings(_env_file=None)
    return "\n".join(
        [
            f"sale-sync bench at commit {commit or '?'}, load average {load} "
            f"({os.cpu_count()} CPUs), {command_line()}",
            "hub: `tillsync serve --no-worker` in its own process (one event loop), default "
            f"settings: log_level={defaults.log_level} log_format={defaults.log_format} "
            f"key_trust_seconds={defaults.key_trust_seconds:g} "
            f"reservation_ttl_seconds={defaults.reservation_ttl_seconds}; "
            "PostgreSQL pool 10 + 10 overflow, SQLite WAL with one writer at a time",
            "sales: each enqueues its CIN7 push job; no worker runs, so the pushes stay queued",
            f"load: aiohttp in this process, {args.clients} clients closed loop, "
            f"{args.seconds:g} s a run; ×healthz: req/s over the mean of the two /healthz runs",
        ]
    )


def print_table(rows: list[Row]) -> None:
    print(
        f"\n{'backend':<11}{'catalog':>10}  {'endpoint':<17}{'SKUs':>5}  {'load':<12}"
        f"{'req/s':>8}{'×hz':>6}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}"
        f"{'refused':>8}{'errors':>7}"
    )
    for r in rows:
        print(
            f"{r.backend:<11}{r.catalog:>10,}  {r.endpoint:<17}{r.skus:>5}  {r.load:<12}"
            f"{r.per_second:>8.0f}{r.ratio:>6.2f}{r.p50_ms:>8.1f}{r.p95_ms:>8.1f}"
            f"{r.p99_ms:>8.1f}{r.refused:>8}{r.errors:>7}"
        )


async def main(args: argparse.Namespace) -> None:
    print(header(args), flush=True)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    rows: list[Row] = []
    for backend, catalog in itertools.product(backends, args.catalog):
        rows += await one_hub(backend, catalog, args)
    print_table(rows)


def catalogs(text: str) -> list[int]:
    return [int(part.replace("_", "")) for part in text.split(",")]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--catalog", type=catalogs, default=[1000], help="sizes, e.g. 1000,1000000")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--rate", type=float, default=None, help="CHECK_INVENTORY's open-loop rate")
    parser.add_argument(
        "--database-url", default=None, help="PostgreSQL: a server URL, or a database's"
    )
    run(main(parser.parse_args()))
