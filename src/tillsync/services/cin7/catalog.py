"""Pulling CIN7's catalog and stock into the hub: every page, resumable, in bounded memory.

One job kind runs three modes (`pulls.MODES`):

- **full**: every product (deprecated ones too, which become inactive) and every
  availability row, at CIN7's largest page size unless the connection's `page_size` says
  less, with no page cap. Products CIN7 no longer lists are marked inactive afterwards and
  counted as the run's `items_deleted`; nothing of their history is removed.
- **quick**: products changed since the last successful pull began (CIN7's `ModifiedSince`,
  less `quick_sync_overlap_seconds`), then the stock of those products only (one
  availability call each; over `QUICK_STOCK_LIMIT` of them, or when the watchdog asks for
  it because stock deliveries were missed, the whole availability listing, since CIN7's
  availability has no `ModifiedSince`). Without an earlier successful pull it is a full one.
- **reconcile**: a full pull whose apply step records every difference it repairs in a
  drift report, followed by a check of our webhooks at CIN7.

A pull the webhook watchdog queues after restoring a Sale/ webhook also catches up on the
sales made at CIN7 by other channels meanwhile (`missed_sales`), after its apply step, and
counts those it records in the run's `details["sales"]`.

After every page the pull checkpoints where it is, in the same transaction as what the
page brought, so a pull that steps aside for the rate budget, or is interrupted, resumes at
the next page.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncGenerator, Callable, Coroutine
from typing import Any

from sqlalchemy import delete, exists, select, text

from tillsync.connectors.budget import lane_for
from tillsync.connectors.cin7 import mapping
from tillsync.connectors.cin7.client import MAX_LIMIT, Cin7Client, last_page
from tillsync.errors import BudgetExhausted
from tillsync.jobs.worker import InvalidPayload, JobContext
from tillsync.services.cin7 import drift, missed_sales, pulls, staging
from tillsync.services.cin7.client import client_for
from tillsync.services.cin7.product_rows import Seen, upsert_products
from tillsync.services.connections import watchdog
from tillsync.services.connections.links import load_connection
from tillsync.services.context import Services
from tillsync.services.runs import RunTally, finish_run, start_run
from tillsync.store.database import insert_all_unless_present
from tillsync.store.tables import Connection, Product, Run, SyncSeen
from tillsync.store.uow import UnitOfWork

LABEL = "CIN7"
STATISTICS_FROM = 8
"""A pull refreshes PostgreSQL's planner statistics at this page, and each time it doubles."""
ANALYSED = ("products", "stock_levels", "sync_stage", "sync_seen", "pending_movements")
QUICK_STOCK_LIMIT = 50
DEFAULT_OVERLAP_SECONDS = 300.0


async def sync_catalog(services: Services, ctx: JobContext) -> None:
    async with services.uows.read() as session:
        connection = await load_connection(session, ctx.job.connection_id)
    if "run_id" not in ctx.checkpoint:
        await _begin(services, ctx, connection)
    run_id = ctx.checkpoint["run_id"]
    client = client_for(services, connection, lane=lane_for(ctx.job.priority))
    try:
        if ctx.checkpoint["phase"] == "products":
            await _pull_products(services, ctx, connection, client)
        if ctx.checkpoint["phase"] == "stock":
            await _pull_stock(services, ctx, connection, client)
        if ctx.checkpoint["phase"] == "apply":
            await _apply(services, ctx, connection)
        if ctx.checkpoint["phase"] == "sales":
            await missed_sales.catch_up(services, ctx, connection, client)
        if ctx.checkpoint["phase"] == "webhooks":
            lane = lane_for(ctx.job.priority)
            await watchdog.check_webhooks(
                services, connection, lane=lane, event_key=ctx.job.id, run_id=run_id
            )
            await ctx.save(phase="done")
    except BudgetExhausted:
        raise  # not a failure: the pull resumes at its checkpoint when a call is free
    except Exception as exc:
        await finish_run(services.uows, run_id, _tally(ctx), label=LABEL, error=str(exc)[:500])
        raise
    await finish_run(services.uows, run_id, _tally(ctx), label=LABEL)


async def _begin(services: Services, ctx: JobContext, connection: Connection) -> None:
    """Start the run (or take over the one queued with the request) and plan the pull."""
    payload = ctx.job.payload or {}
    mode = str(payload.get("mode", "full"))
    if mode not in pulls.MODES:
        raise InvalidPayload(f"unknown pull mode {mode!r}")
    run_type = str(payload.get("type", "automatic"))
    queued = payload.get("run_id")
    async with services.uows.begin() as uow:
        run = await uow.session.get(Run, queued) if queued else None
        if run is not None:
            run.status, run.started_at = "running", uow.now
        plan: dict[str, Any] = {"mode": mode, "requested": mode}
        if mode == "quick":
            since = await pulls.last_pull_start(uow.session, connection.id)
            if since is None:
                plan["mode"] = "full"  # nothing to be quick against yet
            else:
                overlap = connection.settings.get(
                    "quick_sync_overlap_seconds", DEFAULT_OVERLAP_SECONDS
                )
                overlap = float(overlap)
                plan["since"] = (since - dt.timedelta(seconds=overlap)).isoformat()
                plan["skus"] = None if payload.get("stock") == "all" else []
        if payload.get("sales_since"):  # the watchdog restored a Sale webhook
            start = dt.datetime.fromisoformat(str(payload["sales_since"]))
            if "since" in plan:
                start = min(start, dt.datetime.fromisoformat(plan["since"]))
            plan |= {"sales_since": start.isoformat(), "sales": 0}
        await uow.commit()
    run_id = run.id if run is not None else None
    if run_id is None:
        run_id = await start_run(
            services.uows,
            connection=connection,
            label=LABEL,
            run_type=run_type,
            direction="pull",
            entity=pulls.ENTITIES[mode],
            job_id=ctx.job.id,
        )
    size = connection.settings.get("page_size", MAX_LIMIT)
    await ctx.save(
        run_id=run_id,
        phase="products",
        page=1,
        products=0,
        rows=0,
        pages=0,
        deleted=0,
        page_size=max(1, min(MAX_LIMIT, int(size))),
        listing_started=services.uows.clock.now().isoformat(),
        **plan,
    )


def _tally(ctx: JobContext) -> RunTally:
    point = ctx.checkpoint
    details = {
        "mode": point.get("mode", "full"),
        "products": point.get("products", 0),
        "stock_rows": point.get("rows", 0),
    }
    if point.get("requested", details["mode"]) != details["mode"]:
        details["requested"] = point["requested"]
    for name in ("compared", "changed", "sales"):
        if name in point:
            details[name] = point[name]
    return RunTally(
        items_synced=point.get("products", 0) + point.get("rows", 0),
        items_deleted=point.get("deleted", 0),
        pages=point.get("pages", 0),
        details=details,
    )


Fetch = Callable[[int], Coroutine[Any, Any, dict[str, Any]]]


async def _pages(
    fetch: Fetch, first: int, key: str, size: int
) -> AsyncGenerator[tuple[int, dict[str, Any], list[Any], bool]]:
    """Each page with its number, envelope and rows, and whether it is the last; the next
    is fetched meanwhile.

    While the caller stores one page, the call for the next is already on its way (it has
    taken its grant first), so a pull is paced by CIN7's budget, not by our writes.
    """
    page, envelope = first, await fetch(first)
    while True:
        rows = envelope.get(key) or []
        last = last_page(envelope, rows, page=page, limit=size)
        upcoming = None if last else asyncio.create_task(fetch(page + 1))
        await asyncio.sleep(0)  # let the next call take its grant before this page's writes
        try:
            yield page, envelope, rows, last
        except BaseException:
            if upcoming is not None:
                upcoming.cancel()
                await asyncio.gather(upcoming, return_exceptions=True)
            raise
        if upcoming is None:
            return
        page, envelope = page + 1, await upcoming


async def _pull_products(
    services: Services, ctx: JobContext, connection: Connection, client: Cin7Client
) -> None:
    point = ctx.checkpoint
    mode, size, run_id = point["mode"], point["page_size"], point["run_id"]
    since = dt.datetime.fromisoformat(point["since"]) if point.get("since") else None

    async def fetch(page: int) -> dict[str, Any]:
        return await client.products(
            page=page, limit=size, modified_since=since, include_deprecated=True
        )

    pages = _pages(fetch, point["page"], "Products", size)
    async with contextlib.aclosing(pages):
        async for page, envelope, rows, last in pages:
            found = [mapping.product_fields(product) for product in rows]
            async with services.uows.begin() as uow:
                if mode == "reconcile":
                    await _compare_products(uow, connection, run_id, found)
                await upsert_products(uow, connection, [Seen(f.sku, f.name, f) for f in found])
                progress: dict[str, Any] = {
                    "products": ctx.checkpoint["products"] + len(rows),
                    "pages": ctx.checkpoint["pages"] + 1,
                    "page": 1 if last else page + 1,
                }
                if isinstance(envelope.get("Total"), int):
                    progress["products_total"] = envelope["Total"]
                if mode == "quick":
                    progress["skus"] = _changed(ctx.checkpoint.get("skus"), found)
                else:
                    await _seen(uow, run_id, found)
                if last:  # stock is read from here on: reports later than this win over it
                    progress |= {"phase": "stock", "stock_as_of": uow.now.isoformat()}
                    progress["stock_index"] = 0
                    if mode != "quick":
                        progress["deleted"] = await _retire_vanished(uow, connection, ctx)
                await ctx.save_in(uow.session, **progress)
                await uow.commit()
            await _keep_statistics(services, page)


async def _keep_statistics(services: Services, page: int) -> None:
    """On PostgreSQL, refresh the planner's statistics as a pull doubles what it has read.

    A first pull grows the catalog from empty to its full size in minutes, faster than
    autovacuum analyses it (if it runs at all): with statistics of empty tables the planner
    keeps choosing plans that get slower with every page.
    """
    if page < STATISTICS_FROM or page & (page - 1):
        return
    async with services.uows.begin() as uow:
        if uow.session.get_bind().dialect.name == "postgresql":
            await uow.session.execute(text(f"ANALYZE {', '.join(ANALYSED)}"))
            await uow.commit()


def _changed(skus: list[str] | None, found: list[mapping.ProductFields]) -> list[str] | None:
    """A quick pull's changed SKUs so far; None once there are too many to ask one by one."""
    if skus is None:
        return None
    merged = list(dict.fromkeys([*skus, *(f.sku for f in found)]))
    return None if len(merged) > QUICK_STOCK_LIMIT else merged


async def _seen(uow: UnitOfWork, run_id: str, found: list[mapping.ProductFields]) -> None:
    rows = [{"run_id": run_id, "sku": sku} for sku in dict.fromkeys(f.sku for f in found)]
    if rows:
        await insert_all_unless_present(uow.session, SyncSeen, rows)


async def _compare_products(
    uow: UnitOfWork, connection: Connection, run_id: str, found: list[mapping.ProductFields]
) -> None:
    skus = [f.sku for f in found]
    existing = {
        product.sku: product
        for product in await uow.session.scalars(
            select(Product).where(Product.tenant_id == connection.tenant_id, Product.sku.in_(skus))
        )
    }
    differences = drift.product_differences(existing, found)
    await drift.record(
        uow.session,
        tenant_id=connection.tenant_id,
        run_id=run_id,
        differences=differences,
        now=uow.now,
    )


async def _retire_vanished(uow: UnitOfWork, connection: Connection, ctx: JobContext) -> int:
    """Products CIN7 once listed and no longer does become inactive; their history stays.

    A product the hub wrote since the listing began (a webhook met a new one) is spared,
    and so is everything when CIN7 listed nothing at all: an empty answer is more likely a
    fault than a catalog emptied.
    """
    run_id = ctx.checkpoint["run_id"]
    session = uow.session
    if await session.scalar(select(SyncSeen.sku).where(SyncSeen.run_id == run_id).limit(1)):
        started = dt.datetime.fromisoformat(ctx.checkpoint["listing_started"])
        listed = exists().where(SyncSeen.run_id == run_id, SyncSeen.sku == Product.sku)
        candidates = await session.scalars(
            select(Product).where(
                Product.tenant_id == connection.tenant_id,
                Product.active.is_(True),
                Product.updated_at < started,
                ~listed,
            )
        )
        gone = [p for p in candidates if connection.id in (p.external_ids or {})]
    else:
        gone = []
    for product in gone:
        product.active, product.updated_at = False, uow.now
    if ctx.checkpoint["mode"] == "reconcile":
        await drift.record(
            session,
            tenant_id=connection.tenant_id,
            run_id=run_id,
            differences=[
                drift.Difference("product", "listed", "active", "absent", True, sku=p.sku)
                for p in gone
            ],
            now=uow.now,
        )
    await session.execute(delete(SyncSeen).where(SyncSeen.run_id == run_id))
    return len(gone)


async def _pull_stock(
    services: Services, ctx: JobContext, connection: Connection, client: Cin7Client
) -> None:
    mode, run_id = ctx.checkpoint["mode"], ctx.checkpoint["run_id"]
    skus = ctx.checkpoint.get("skus") if mode == "quick" else None
    if skus is not None:
        await _pull_stock_of(services, ctx, client, run_id, skus)
        return
    size = ctx.checkpoint["page_size"]
    as_of = dt.datetime.fromisoformat(ctx.checkpoint["stock_as_of"])

    async def fetch(page: int) -> dict[str, Any]:
        return await client.availability(page=page, limit=size)

    pages = _pages(fetch, ctx.checkpoint["page"], "ProductAvailabilityList", size)
    async with contextlib.aclosing(pages):
        async for page, envelope, rows, last in pages:
            found = mapping.stock_rows(rows)
            async with services.uows.begin() as uow:
                await staging.stage(uow.session, run_id, found)
                progress: dict[str, Any] = {
                    "rows": ctx.checkpoint["rows"] + len(rows),
                    "pages": ctx.checkpoint["pages"] + 1,
                    "page": page + 1,
                    "phase": "apply" if last else "stock",
                }
                if isinstance(envelope.get("Total"), int):
                    progress["stock_total"] = envelope["Total"]
                if mode != "reconcile":  # a reconciliation compares once the listing is whole
                    settled = await staging.settle_page(uow, connection, run_id, found, as_of=as_of)
                    progress["compared"] = ctx.checkpoint.get("compared", 0) + settled.compared
                    progress["changed"] = ctx.checkpoint.get("changed", 0) + settled.changed
                await ctx.save_in(uow.session, **progress)
                await uow.commit()
            await _keep_statistics(services, page)


async def _pull_stock_of(
    services: Services, ctx: JobContext, client: Cin7Client, run_id: str, skus: list[str]
) -> None:
    """A quick pull's stock: one availability call per changed product (`Sku` is exact)."""
    await ctx.save(stock_pages=len(skus))
    for index in range(ctx.checkpoint["stock_index"], len(skus)):
        sku = skus[index]
        answer = [row async for row in client.iter_availability(sku=sku)]
        rows = [row for row in mapping.stock_rows(answer) if row.sku == sku]
        async with services.uows.begin() as uow:
            await staging.stage(uow.session, run_id, rows)
            await ctx.save_in(
                uow.session,
                rows=ctx.checkpoint["rows"] + len(rows),
                pages=ctx.checkpoint["pages"] + 1,
                stock_index=index + 1,
            )
            await uow.commit()
    await ctx.save(phase="apply")


async def _apply(services: Services, ctx: JobContext, connection: Connection) -> None:
    point = ctx.checkpoint
    skus = point.get("skus") if point["mode"] == "quick" else None
    settled = await staging.settle(
        services,
        connection,
        point["run_id"],
        as_of=dt.datetime.fromisoformat(point["stock_as_of"]),
        scope=skus,
        reconcile=point["mode"] == "reconcile",
        pages_settled=point["mode"] != "reconcile",
    )
    following = "webhooks" if point["mode"] == "reconcile" else "done"
    if "sales_since" in point:
        following = "sales"
    await ctx.save(
        phase=following,
        compared=point.get("compared", 0) + settled.compared,
        changed=point.get("changed", 0) + settled.changed,
    )
