"""Throughput and latency of CHECK_INVENTORY and RECORD_SALE against a running sandbox.

Starts `tillsync sandbox` as its own process, gives one SKU a large stock through the CIN7
emulator's API, then drives each endpoint with concurrent clients for a fixed time and
prints requests per second and latency percentiles. GET /healthz, served by the same
stack without touching the database, is the reference.

    python bench/sale_sync.py [--seconds 10] [--clients 16] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import httpx

from tillsync.serving import free_port

SKU = "TOMB45SHAVECBLCK"
STOCK = 1_000_000


async def start_sandbox(state_dir: Path, database_url: str | None) -> tuple[Any, dict[str, Any]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TILLSYNC_")}
    if database_url:
        env["TILLSYNC_DATABASE_URL"] = database_url
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tillsync",
        "sandbox",
        "--port",
        str(free_port()),
        "--state-dir",
        str(state_dir),
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    manifest = state_dir / "sandbox.json"
    async with asyncio.timeout(90):
        while not manifest.exists():
            if process.returncode is not None:
                raise SystemExit(f"the sandbox exited with {process.returncode}")
            await asyncio.sleep(0.2)
    return process, json.loads(manifest.read_text())


async def stock_up(manifest: dict[str, Any], hub: httpx.AsyncClient) -> None:
    cin7 = manifest["emulators"]["cin7"]
    headers = {
        "api-auth-accountid": cin7["account_id"],
        "api-auth-applicationkey": cin7["application_key"],
    }
    async with httpx.AsyncClient(base_url=cin7["url"], headers=headers) as warehouse:
        answer = await warehouse.post(
            "/stockadjustment",
            json={
                "EffectiveDate": "2026-01-01T00:00:00",
                "Status": "COMPLETED",
                "Lines": [
                    {"SKU": SKU, "Quantity": STOCK, "UnitCost": 5, "Location": "Main Warehouse"}
                ],
            },
        )
        answer.raise_for_status()
    check = {"action": "CHECK_INVENTORY", "sku": SKU, "quantity": 1}
    async with asyncio.timeout(30):
        while (await hub.post("/api/cin7/sale-sync", json=check)).json()[
            "currentStock"
        ] < STOCK / 2:
            await asyncio.sleep(0.2)


async def drive(
    name: str, call: Callable[[], Awaitable[int]], *, seconds: float, clients: int
) -> dict[str, Any]:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                ok = await call() == 200
            except aiohttp.ClientError:
                ok = False
            latencies.append(time.perf_counter() - started)
            errors += not ok

    began = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.perf_counter() - began
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "endpoint": name,
        "requests": len(latencies),
        "errors": errors,
        "per_second": len(latencies) / elapsed,
        "p50_ms": cuts[49] * 1000,
        "p95_ms": cuts[94] * 1000,
        "p99_ms": cuts[98] * 1000,
    }


def print_table(rows: list[dict[str, Any]], *, clients: int, seconds: float, backend: str) -> None:
    print(f"\nsale-sync bench: {clients} concurrent clients, {seconds:g} s each, {backend}")
    print(
        f"{'endpoint':<18}{'requests':>10}{'errors':>8}{'req/s':>10}"
        f"{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}"
    )
    for row in rows:
        print(
            f"{row['endpoint']:<18}{row['requests']:>10}{row['errors']:>8}"
            f"{row['per_second']:>10.1f}{row['p50_ms']:>10.1f}{row['p95_ms']:>10.1f}"
            f"{row['p99_ms']:>10.1f}"
        )


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder:
        process, manifest = await start_sandbox(Path(folder), args.database_url)
        headers = {"Authorization": f"Bearer {manifest['api_key']}"}
        try:
            async with httpx.AsyncClient(
                base_url=manifest["hub_url"], headers=headers, timeout=30
            ) as hub:
                await stock_up(manifest, hub)
            rows = await measure(manifest["hub_url"], headers, args)
        finally:
            process.terminate()
            await process.wait()
    backend = "PostgreSQL" if args.database_url else "SQLite (WAL)"
    print_table(rows, clients=args.clients, seconds=args.seconds, backend=backend)


async def measure(
    url: str, headers: dict[str, str], args: argparse.Namespace
) -> list[dict[str, Any]]:
    """aiohttp as the load generator: httpx itself tops out near 600 requests a second here."""
    connector = aiohttp.TCPConnector(limit=args.clients)
    async with aiohttp.ClientSession(url, headers=headers, connector=connector) as session:

        async def status(method: str, path: str, body: dict[str, Any] | None = None) -> int:
            async with session.request(method, path, json=body) as answer:
                await answer.read()
                return answer.status

        numbers = itertools.count(1)
        check = {"action": "CHECK_INVENTORY", "sku": SKU, "quantity": 1}

        def sale() -> Awaitable[int]:
            body = {
                "action": "RECORD_SALE",
                "saleId": f"BENCH-{next(numbers)}",
                "items": [{"sku": SKU, "quantity": 1, "price": 29.99}],
            }
            return status("POST", "/api/cin7/sale-sync", body)

        calls: list[tuple[str, Callable[[], Awaitable[int]]]] = [
            ("GET /healthz", lambda: status("GET", "/healthz")),
            ("CHECK_INVENTORY", lambda: status("POST", "/api/cin7/sale-sync", check)),
            ("RECORD_SALE", sale),
        ]
        return [
            await drive(name, call, seconds=args.seconds, clients=args.clients)
            for name, call in calls
        ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default: SQLite)")
    asyncio.run(main(parser.parse_args()))
