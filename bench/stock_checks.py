"""CHECK_INVENTORY from the stock read model at 1 k and at 1 M SKUs: speed, load time, memory.

For each size, seeds a fresh database with that many products, each with stock at one
location (in bulk, straight into the tables), starts `tillsync serve` on it as its own
process, and drives CHECK_INVENTORY on random SKUs and GET /healthz with concurrent
clients, as bench/sale_sync.py does. Prints the hub's read-model load time (from its log)
and its resident memory once loaded, then each endpoint's rate and latency.

    python bench/stock_checks.py [--skus 1000 1000000] [--seconds 10] [--clients 16]
                                 [--database-url URL]

With --database-url (PostgreSQL) the database is emptied and seeded again for each size.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import insert, text

from tillsync.bootstrap import open_hub
from tillsync.config import Settings
from tillsync.services.tenants import create_tenant
from tillsync.serving import free_port
from tillsync.store.tables import Product, StockLevel, new_id

KEY = "yLR1Qc7j0m2P1yqk0lXx8g8w5pXlq2cUOX2x3lYw1aA"
LOCATION = "Main Warehouse"
CHUNK = 5000


async def seed(settings: Settings, skus: int) -> str:
    """A tenant with `skus` products in stock; its API key."""
    async with open_hub(settings) as hub:
        if not hub.uows.database.is_sqlite:
            async with hub.uows.begin() as uow:
                await uow.session.execute(text("TRUNCATE tenants CASCADE"))
                await uow.commit()
        tenant = await create_tenant(hub.uows, name="Bench Barbers")
        now = dt.datetime.now(dt.UTC)
        rng = random.Random(7)
        for start in range(0, skus, CHUNK):
            products, levels = [], []
            for n in range(start, min(start + CHUNK, skus)):
                product_id = new_id()
                products.append(
                    {
                        "id": product_id,
                        "tenant_id": tenant.tenant_id,
                        "sku": f"SKU-{n:07d}",
                        "name": f"Product {n}",
                        "updated_at": now,
                    }
                )
                figure = rng.randrange(0, 500)
                levels.append(
                    {
                        "id": new_id(),
                        "tenant_id": tenant.tenant_id,
                        "product_id": product_id,
                        "sku": f"SKU-{n:07d}",
                        "location": LOCATION,
                        "warehouse_available": figure,
                        "warehouse_on_hand": figure,
                        "as_of": now,
                        "updated_at": now,
                    }
                )
            async with hub.uows.begin() as uow:
                await uow.session.execute(insert(Product), products)
                await uow.session.execute(insert(StockLevel), levels)
                await uow.commit()
        return tenant.api_key


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def serve(settings: Settings, log: Path) -> tuple[Any, str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TILLSYNC_")}
    env |= {
        "TILLSYNC_DATABASE_URL": settings.database_url,
        "TILLSYNC_SECRET_KEYS": KEY,
        "TILLSYNC_DATA_DIR": str(settings.data_dir),
        "TILLSYNC_LOG_FORMAT": "json",
    }
    with log.open("w") as out:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tillsync", "serve", "--port", str(port), "--no-worker",
            env=env, stdout=out, stderr=out,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    async with asyncio.timeout(600), aiohttp.ClientSession() as http:
        while True:
            if process.returncode is not None:
                raise SystemExit(f"the hub exited with {process.returncode}: {log.read_text()}")
            try:
                async with http.get(f"{url}/healthz") as answer:
                    if answer.status == 200:
                        return process, url
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)


def loaded(log: Path) -> dict[str, Any]:
    for line in log.read_text().splitlines():
        if "stock read model loaded" in line:
            found: dict[str, Any] = json.loads(line)
            return found
    return {}


async def drive(session: aiohttp.ClientSession, call: Any, *, seconds: float, clients: int) -> Any:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            status = await call(session)
            latencies.append(time.perf_counter() - started)
            errors += status != 200

    began = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    cuts = statistics.quantiles(latencies, n=100)
    rate = len(latencies) / (time.perf_counter() - began)
    return rate, cuts[49] * 1000, cuts[98] * 1000, errors


async def measure(url: str, api_key: str, skus: int, args: argparse.Namespace) -> list[Any]:
    rng = random.Random(11)

    async def check(session: aiohttp.ClientSession) -> int:
        sku = f"SKU-{rng.randrange(skus):07d}"
        body = {"action": "CHECK_INVENTORY", "sku": sku, "quantity": 1}
        async with session.post("/api/cin7/sale-sync", json=body) as answer:
            await answer.read()
            return answer.status

    async def health(session: aiohttp.ClientSession) -> int:
        async with session.get("/healthz") as answer:
            await answer.read()
            return answer.status

    headers = {"Authorization": f"Bearer {api_key}"}
    connector = aiohttp.TCPConnector(limit=args.clients)
    rows = []
    async with aiohttp.ClientSession(url, headers=headers, connector=connector) as session:
        for name, call, clients in (
            ("GET /healthz", health, args.clients),
            ("CHECK_INVENTORY", check, args.clients),
            ("CHECK_INVENTORY half", check, max(1, args.clients // 2)),
        ):
            rows.append((name, *await drive(session, call, seconds=args.seconds, clients=clients)))
    return rows


async def main(args: argparse.Namespace) -> None:
    print(f"load average {os.getloadavg()[0]:.2f}; {args.clients} clients, {args.seconds:g} s")
    for skus in args.skus:
        with tempfile.TemporaryDirectory() as folder:
            url = args.database_url or f"sqlite:///{folder}/bench.db"
            settings = Settings(
                _env_file=None,  # type: ignore[call-arg]
                database_url=url,
                data_dir=Path(folder),
                secret_keys=[KEY],
            )
            started = time.perf_counter()
            api_key = await seed(settings, skus)
            seeded = time.perf_counter() - started
            log = Path(folder) / "hub.log"
            process, hub_url = await serve(settings, log)
            try:
                async with asyncio.timeout(600):  # the model loads after the hub listens
                    while not loaded(log):
                        await asyncio.sleep(0.2)
                memory = rss_mb(process.pid)
                rows = await measure(hub_url, api_key, skus, args)
            finally:
                process.terminate()
                await process.wait()
            load = loaded(log)
            print(
                f"\n{skus:,} SKUs (seeded in {seeded:.0f} s): model loaded {load.get('rows')} "
                f"rows in {load.get('seconds')} s; hub RSS {memory:.0f} MB once serving"
            )
            print(f"{'endpoint':<22}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}")
            for name, rate, p50, p99, errors in rows:
                print(f"{name:<22}{rate:>10.1f}{p50:>10.1f}{p99:>10.1f}{errors:>8}")
            print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, nargs="+", default=[1000, 1_000_000])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default: SQLite)")
    asyncio.run(main(parser.parse_args()))
