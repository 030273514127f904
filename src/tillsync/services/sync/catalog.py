"""A warehouse's catalog and stock pulled into the hub: every page, resumable, in flat memory.

One job kind per warehouse provider (`<provider>.sync_catalog`) runs three modes
(`pulls.MODES`), through the provider's `Warehouse` only:

- **full**: every product (deprecated ones too, which become inactive) and every
  availability row, at the warehouse's largest page size (`page_limit`) unless the
  connection's `page_size` says less, with no page cap. Products the warehouse no longer
  lists are marked inactive afterwards and counted as the run's `items_deleted`; nothing of
  their history is removed (`product_listing`).
- **quick**: products changed since the last successful pull began, less
  `quick_sync_overlap_seconds`, then the stock of those products only (one availability
  call each; over `QUICK_STOCK_LIMIT` of them, or when the watchdog asks for it because
  stock deliveries were missed, the whole availability listing, which a warehouse cannot
  ask for changes only). Without an earlier successful pull it is a full one.
- **reconcile**: a full pull whose apply step records every difference it repairs in a
  drift report, followed by a check of our webhooks at the warehouse.

A pull the webhook watchdog queues after restoring a sales webhook also catches up on the
sales made at the warehouse by other channels meanwhile (`missed_sales`), after its apply
step, and counts those it records in the run's `details["sales"]`.

After every page the pull checkpoints where it is, in the same transaction as what the
page brought, so a pull that steps aside for the rate budget, or is interrupted, resumes at
the next page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tillsync.connectors.budget import lane_for
from tillsync.errors import BudgetExhausted
from tillsync.jobs.worker import InvalidPayload, JobContext
from tillsync.services.connections import watchdog
from tillsync.services.connections.links import load_connection, warehouse_for
from tillsync.services.context import Services
from tillsync.services.runs import RunTally, finish_run, start_run
from tillsync.services.sync import missed_sales, pulls, staging
from tillsync.services.sync.product_listing import pull_products
from tillsync.services.sync.stock_listing import pull_stock
from tillsync.store.tables import Connection, Run

DEFAULT_OVERLAP_SECONDS = 300.0


async def sync_catalog(services: Services, ctx: JobContext) -> None:
    async with services.uows.read() as session:
        connection = await load_connection(session, ctx.job.connection_id)
    label = services.providers.get(connection.provider).title
    lane = lane_for(ctx.job.priority)
    warehouse = warehouse_for(services, connection, lane=lane)
    if "run_id" not in ctx.checkpoint:
        await _begin(services, ctx, connection, label=label, page_limit=warehouse.page_limit)
    run_id = ctx.checkpoint["run_id"]
    try:
        if ctx.checkpoint["phase"] == "products":
            await pull_products(services, ctx, connection, warehouse)
        if ctx.checkpoint["phase"] == "stock":
            await pull_stock(services, ctx, connection, warehouse)
        if ctx.checkpoint["phase"] == "apply":
            await _apply(services, ctx, connection)
        if ctx.checkpoint["phase"] == "sales":
            await missed_sales.catch_up(services, ctx, connection, warehouse)
        if ctx.checkpoint["phase"] == "webhooks":
            await watchdog.check_webhooks(
                services, connection, lane=lane, event_key=ctx.job.id, run_id=run_id
            )
            await ctx.save(phase="done")
    except BudgetExhausted:
        raise  # not a failure: the pull resumes at its checkpoint when a call is free
    except Exception as exc:
        await finish_run(services.uows, run_id, _tally(ctx), label=label, error=str(exc)[:500])
        raise
    await finish_run(services.uows, run_id, _tally(ctx), label=label)


async def _begin(
    services: Services, ctx: JobContext, connection: Connection, *, label: str, page_limit: int
) -> None:
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
        if payload.get("sales_since"):  # the watchdog restored a sales webhook
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
            label=label,
            run_type=run_type,
            direction="pull",
            entity=pulls.ENTITIES[mode],
            job_id=ctx.job.id,
        )
    size = connection.settings.get("page_size", page_limit)
    await ctx.save(
        run_id=run_id,
        phase="products",
        page=1,
        products=0,
        rows=0,
        pages=0,
        deleted=0,
        page_size=max(1, min(page_limit, int(size))),
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
