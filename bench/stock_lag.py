"""Stock lag: how long after a stock change at the warehouse CHECK_INVENTORY answers it.

For a warehouse the user sets webhooks up at (Zoho Inventory's workflow webhooks), run by
`warehouse_lag.py --provider zoho`. The emulator runs at the real limit (100 calls a
minute) with a catalog of a few items; a hub connects a tenant with the organization as
its stock source, its first pull done. Then two phases, each change on an item of its own
with a figure no earlier answer held:

1. by workflow webhook: the item workflow pasted at the emulator, the periodic pull off;
   --changes changes, one a second;
2. by poll alone: the workflow removed, the periodic pull every --poll-minutes; --changes
   changes spread over two intervals, so they fall at every point of the poll's cycle.

A change's lag is from just before the emulator was asked to change the figure to the
first `CHECK_INVENTORY` (`POST /api/cin7/sale-sync`) that answered it; the bench asks
every --probe-ms per change waiting. The scheduler looks for due pulls every 30 s (the
hub's default), so a poll's lag may pass the interval by that much and the pull's time.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from processes import command_line
from rig import Rig, open_rig, percentile, scaling
from tillsync.services.connections.registrations import pasted_webhook
from tillsync.services.connections.settings import update_settings
from tillsync.services.sync.pulls import sync_kind
from tillsync.store.tables import Connection
from worlds import Account, Warehouse

FIRST_FIGURE = 10_000
"""Changed figures start here: the seeded ones are all below 100."""


async def paste_workflow(rig: Rig) -> str:
    """Set up the item workflow at the emulator as the user would, from the connect answer."""
    async with rig.hub.uows.read() as session:
        connection = await session.get(Connection, rig.connection_id)
        assert connection is not None
    pasted = pasted_webhook(rig.hub.services, connection)
    assert pasted is not None, "the warehouse takes no pasted webhook"
    body = {
        "organization_id": rig.account.id,
        "entity": "item",
        "url": pasted.url,
        "header_name": pasted.header,
        "secret": pasted.secret,
    }
    answer = await rig.control.post("/_emulator/workflows", json=body)
    answer.raise_for_status()
    return str(answer.json()["webhook_id"])


async def change(
    rig: Rig,
    hub: httpx.AsyncClient,
    *,
    item_id: str,
    sku: str,
    figure: int,
    at: float,
    probe: float,
    cap: float,
) -> float | None:
    """At `at` (perf_counter), change the item's figure at the emulator; seconds until
    CHECK_INVENTORY answers it, or None when `cap` seconds passed first."""
    await asyncio.sleep(max(0.0, at - time.perf_counter()))
    body = {"organization_id": rig.account.id, "item_id": item_id, "quantity": str(figure)}
    began = time.perf_counter()
    (await rig.control.put("/_emulator/stock", json=body)).raise_for_status()
    check = {"action": "CHECK_INVENTORY", "sku": sku, "quantity": 1}
    while time.perf_counter() - began < cap:
        answer = await hub.post("/api/cin7/sale-sync", json=check)
        if (
            answer.status_code == 200
            and Decimal(str(answer.json()["warehouseAvailable"])) == figure
        ):
            return time.perf_counter() - began
        await asyncio.sleep(probe)
    return None


async def phase(
    rig: Rig, items: list[tuple[str, str]], *, offsets: list[float], probe: float, cap: float
) -> list[float | None]:
    """One change per item, the n-th `offsets[n]` seconds from now, each watched at once."""
    start = time.perf_counter()
    headers = {"Authorization": f"Bearer {rig.api_key}"}
    async with httpx.AsyncClient(base_url=rig.hub_url, headers=headers, timeout=30) as hub:
        return list(
            await asyncio.gather(
                *(
                    change(
                        rig,
                        hub,
                        item_id=item_id,
                        sku=sku,
                        figure=FIRST_FIGURE + number,
                        at=start + offset,
                        probe=probe,
                        cap=cap,
                    )
                    for number, ((sku, item_id), offset) in enumerate(
                        zip(items, offsets, strict=True)
                    )
                )
            )
        )


def rows_of(lags: list[float | None], *, bound: float) -> list[tuple[str, Any]]:
    seen = [lag for lag in lags if lag is not None]
    rows: list[tuple[str, Any]] = [("changes seen / made", f"{len(seen)} of {len(lags)}")]
    for name, share in (("p50", 0.5), ("p95", 0.95), ("max", 1.0)):
        if seen:
            rows.append((f"lag {name}", f"{percentile(seen, share) * 1000:9.0f} ms"))
    within = sum(lag < bound for lag in seen) / len(lags) if lags else 0.0
    rows.append((f"within {bound:g} s", f"{within:.0%}"))
    return rows


async def main(args: argparse.Namespace, world: Warehouse) -> None:
    ids: dict[str, str] = {}

    async def seed(control: httpx.AsyncClient, account: Account) -> None:
        ids.update(await world.generate(control, account, 2 * args.changes))

    interval = args.poll_minutes * 60
    probe = args.probe_ms / 1000
    with tempfile.TemporaryDirectory() as folder:
        async with open_rig(
            Path(folder),
            scale=1.0,
            database_url=args.database_url,
            seed=seed,
            connection_settings={"auto_sync": False},
            world=world,
        ) as rig:
            await rig.pulls_ended(within=120)
            items = sorted(ids.items())
            workflow = await paste_workflow(rig)
            hooked = await phase(
                rig,
                items[: args.changes],
                offsets=[float(n) for n in range(args.changes)],
                probe=probe,
                cap=interval,
            )
            (await rig.control.delete(f"/_emulator/workflows/{workflow}")).raise_for_status()
            await update_settings(
                rig.hub.services,
                tenant_id=rig.tenant_id,
                provider=world.name,
                given={"auto_sync": True, "sync_interval_minutes": args.poll_minutes},
            )
            began = dt.datetime.now(dt.UTC)
            spread = 2 * interval / args.changes
            polled = await phase(
                rig,
                items[args.changes :],
                offsets=[n * spread for n in range(args.changes)],
                probe=probe,
                cap=2 * interval + 60,
            )
            pulls = [j for j in await rig.jobs(sync_kind(world.name)) if j.created_at >= began]
            calls = await rig.calls(began)
    print(f"\nstock lag bench: {command_line()}")
    print(scaling(1.0, args.database_url, world))
    print(
        f"a stock change at {world.title}'s emulator → CHECK_INVENTORY answers it; "
        f"probed every {args.probe_ms:g} ms; {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
    )
    sections = [
        (f"1. by workflow webhook: {args.changes} changes, one a second", hooked, 1.0),
        (
            f"2. by poll alone, every {args.poll_minutes:g} min: {args.changes} changes "
            f"over {2 * interval:g} s ({len(pulls)} pulls, {len(calls)} calls)",
            polled,
            interval,
        ),
    ]
    for title, lags, bound in sections:
        rows = rows_of(lags, bound=bound)
        print(f"\n{title}")
        width = max(len(name) for name, _ in rows) + 2
        for name, value in rows:
            print(f"  {name:<{width}}{value}")
