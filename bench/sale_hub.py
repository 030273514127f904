"""The sale bench's hub: a database seeded in bulk, then `tillsync serve` on it in its own process.

A catalog of a million products cannot come through a warehouse pull in a bench's time, so
the database is written directly: the schema by the hub's migrations, the tenant by
`create_tenant` (as `tillsync tenants create` does), then products and their stock levels
at the tenant's default location by SQLAlchemy Core bulk inserts. The tenant also gets a
CIN7 warehouse connection, so every recorded sale enqueues its push job as in production;
no worker runs beside the API, so those pushes stay queued (nothing reads the connection's
credentials, which are a placeholder).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import make_url

from processes import tillsync_process, untouched_environment
from tillsync.clock import SystemClock
from tillsync.config import Settings
from tillsync.services.tenants import create_tenant
from tillsync.store.database import create_database
from tillsync.store.migrate import upgrade
from tillsync.store.tables import Connection, Job, Product, Sale, StockLevel
from tillsync.store.uow import UnitsOfWork

STOCK = Decimal(1_000_000)
"""Every product's warehouse figure: no sale of the bench is ever short of stock."""
CHUNK = 10_000
SPREAD = 1_000
LOCATION = "Main Warehouse"


@dataclass(frozen=True)
class Seeded:
    api_key: str
    hot: str
    """The one SKU every request of a hot run names."""
    spread: tuple[str, ...]
    """`SPREAD` SKUs evenly across the catalog."""
    seconds: float
    """How long the bulk insert of products and stock levels took."""


MODEL_LOAD_SECONDS = 600.0
"""How long the hub may take to load its stock read model (about 20 s at 1 M rows)."""


def sku_of(number: int) -> str:
    return f"BENCH-{number:07d}"


def async_url(url: str) -> str:
    return Settings(_env_file=None, database_url=url).resolved_database_url


@asynccontextmanager
async def own_database(server_url: str) -> AsyncIterator[str]:
    """A PostgreSQL URL naming a database is used as it is (the bench adds a tenant to it);
    one naming none (`postgresql://user@host:5432/`) or the server's own `postgres` gets a
    fresh database, dropped after."""
    parsed = make_url(server_url)
    if parsed.database and parsed.database != "postgres":
        yield server_url
        return
    name = f"tillsync_bench_{uuid.uuid4().hex[:10]}"
    admin_url = parsed.set(drivername="postgresql", database="postgres")
    admin_dsn = admin_url.render_as_string(hide_password=False)
    admin = await asyncpg.connect(admin_dsn)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield parsed.set(database=name).render_as_string(hide_password=False)
    finally:
        admin = await asyncpg.connect(admin_dsn)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


async def seed(folder: Path, database_url: str, *, catalog: int) -> Seeded:
    """Migrate, make the tenant and its connection, insert `catalog` products with stock."""
    settings = Settings(_env_file=None, data_dir=folder, database_url=database_url)
    database = create_database(settings.resolved_database_url)
    try:
        await upgrade(database)
        uows = UnitsOfWork(database, SystemClock())
        tenant = await create_tenant(uows, name="Bench Barbershop", default_location=LOCATION)
        now = dt.datetime.now(dt.UTC)
        async with database.engine.begin() as connection:
            await connection.execute(
                insert(Connection).values(
                    id=str(uuid.uuid4()),
                    tenant_id=tenant.tenant_id,
                    provider="cin7",
                    role="warehouse",
                    roles=["warehouse"],
                    status="active",
                    base_url="http://127.0.0.1:9/",  # never called: no worker runs
                    credentials="unused",
                    settings={},
                    created_at=now,
                    updated_at=now,
                )
            )
        began = time.perf_counter()
        for first in range(0, catalog, CHUNK):
            products, levels = _rows(tenant.tenant_id, range(first, min(catalog, first + CHUNK)))
            async with database.engine.begin() as connection:
                await connection.execute(insert(Product), products)
                await connection.execute(insert(StockLevel), levels)
        if not database.is_sqlite:  # what autovacuum does soon after a load this size
            async with database.engine.connect() as connection:
                await connection.execution_options(isolation_level="AUTOCOMMIT")
                await connection.execute(text("ANALYZE products"))
                await connection.execute(text("ANALYZE stock_levels"))
        seconds = time.perf_counter() - began
    finally:
        await database.dispose()
    step = max(1, catalog // SPREAD)
    return Seeded(
        api_key=tenant.api_key,
        hot=sku_of(catalog // 2),
        spread=tuple(sku_of(n) for n in range(0, catalog, step))[:SPREAD],
        seconds=seconds,
    )


def _rows(
    tenant_id: str, numbers: range
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    now = dt.datetime.now(dt.UTC)
    products: list[dict[str, object]] = []
    levels: list[dict[str, object]] = []
    for number in numbers:
        product_id = str(uuid.uuid4())
        sku = sku_of(number)
        products.append(
            {
                "id": product_id,
                "tenant_id": tenant_id,
                "sku": sku,
                "name": f"Bench product {number}",
                "barcode": None,
                "price": Decimal("29.99"),
                "reorder_level": Decimal(0),
                "whole_units": True,
                "active": True,
                "external_ids": {},
                "updated_at": now,
            }
        )
        levels.append(
            {
                "id": str(uuid.uuid4()),
                "tenant_id": tenant_id,
                "product_id": product_id,
                "sku": sku,
                "location": LOCATION,
                "warehouse_available": STOCK,
                "warehouse_on_hand": STOCK,
                "as_of": now,
                "pending": Decimal(0),
                "reserved": Decimal(0),
                "updated_at": now,
            }
        )
    return products, levels


@asynccontextmanager
async def hub_process(folder: Path, database_url: str) -> AsyncIterator[str]:
    """`tillsync serve --no-worker` on the seeded database, every other setting its default."""
    env = untouched_environment() | {
        "TILLSYNC_DATA_DIR": str(folder),
        "TILLSYNC_DATABASE_URL": database_url,
    }
    log = folder / "serve.log"
    async with tillsync_process(log, "serve", "--no-worker", env=env) as (process, url):
        began = time.perf_counter()
        async with asyncio.timeout(MODEL_LOAD_SECONDS):  # checks read the database until then
            while not (model := loaded(log)):
                await asyncio.sleep(0.2)
        print(
            f"stock read model loaded: {model.get('rows')} rows in {model.get('seconds')} s "
            f"(the hub listened {time.perf_counter() - began:.1f} s before); "
            f"hub resident memory {resident_mb(process.pid):.0f} MB"
        )
        yield url


def resident_mb(pid: int) -> float:
    """A process's resident memory, from Linux's /proc (0 where there is none)."""
    status = Path(f"/proc/{pid}/status")
    for line in status.read_text().splitlines() if status.exists() else []:
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def loaded(log: Path) -> dict[str, Any]:
    """The hub's "stock read model loaded" log line, read as JSON; empty until written."""
    for line in log.read_text().splitlines():
        if "stock read model loaded" in line:
            found: dict[str, Any] = json.loads(line)
            return found
    return {}


async def queued(folder: Path, database_url: str) -> tuple[int, dict[str, int]]:
    """The sales the hub recorded, and its jobs by kind and state (the pushes left queued)."""
    settings = Settings(_env_file=None, data_dir=folder, database_url=database_url)
    database = create_database(settings.resolved_database_url)
    try:
        async with database.engine.connect() as connection:
            sales = await connection.scalar(select(func.count()).select_from(Sale))
            jobs = await connection.execute(
                select(Job.kind, Job.state, func.count()).group_by(Job.kind, Job.state)
            )
            return int(sales or 0), {f"{kind} {state}": count for kind, state, count in jobs}
    finally:
        await database.dispose()
