"""A simulated day of trade at the demo businesses, printed as it happens."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import random
from typing import TYPE_CHECKING, Any

import httpx

from tillsync.sandbox.businesses import Business
from tillsync.sandbox.cafe import trade_at_cafe
from tillsync.sandbox.catalog import BARBERSHOP
from tillsync.sandbox.cin7 import Cin7Stock
from tillsync.sandbox.follow import Watcher, say
from tillsync.sandbox.online import ONLINE_ORDERS, order_online
from tillsync.sandbox.summary import print_summary
from tillsync.sandbox.till import Step, sell
from tillsync.sandbox.zoho import ZohoStock

if TYPE_CHECKING:  # the runner imports this module to start the day
    from tillsync.sandbox.runner import Sandbox

NAMES = {p.sku: p.name for p in BARBERSHOP}
PACE_SECONDS = 4.0
SETTLE_SECONDS = 300.0
"""How long the day waits, at its end, for the last pushes (a tight rate budget delays them)."""
FAULT_SECONDS = 60.0
"""How long the emulator fault may stay on at most, waiting for the hub to retry."""
FAULT: dict[str, Any] = {"error_rate": 1.0, "kinds": ["500"], "paths": ["/sale"]}
"""The emulator's fault: every call to the sale document fails, as when CIN7 has a bad day."""
CUSTOMERS = (("cust-001", "Marcus Fade"), ("cust-002", "Dee Taper"), ("cust-003", "Lou Lineup"))
"""Regulars the cashier picks at checkout: their sales also become paid CRM invoices."""


def day_plan(seed: int = 45) -> list[Step]:
    """Walk-in sales through the day, a sale while the warehouse is down, a cycle count that
    finds a shelf empty, a delivery."""
    rng = random.Random(seed)
    popular = [
        "TOMB45SHAVECBLCK",
        "REUZEL-BLUE-POMADE",
        "STYPTIC-PEN",
        "NECK-STRIPS",
        "LAYRITE-CEMENT",
        "AFTERSHAVE-BAYRUM",
        "BEARDOIL-SANDAL",
    ]
    plan = [Step("sale", rng.choice(popular), rng.choice((1, 1, 1, 2))) for _ in range(14)]
    plan.insert(3, Step("sale", "BEARDOIL-SANDAL", 2))
    plan.insert(5, Step("outage", "STYPTIC-PEN", 1))
    plan.insert(7, Step("count", "REUZEL-FIBER", 0))
    plan.insert(10, Step("sale", "REUZEL-FIBER", 1))
    plan.insert(13, Step("restock", "BEARDBALM-CEDAR", 12))
    plan.append(Step("restock", "REUZEL-FIBER", 18))
    for number, at in enumerate((2, 9, 16), start=1):  # online orders through the day
        plan.insert(at, Step("order", "", number))
    return plan


async def simulate_day(
    sandbox: Sandbox,
    watcher: Watcher[Cin7Stock],
    *,
    stop: asyncio.Event,
    pace: float = PACE_SECONDS,
    cafe: tuple[Business, Watcher[ZohoStock]] | None = None,
) -> None:
    """The barbershop's day, and the cafe's beside it when `cafe` is given."""
    console = watcher.console
    console.rule("A simulated day of trade")
    beside = None
    if cafe is not None:
        business, at_cafe = cafe
        beside = asyncio.create_task(trade_at_cafe(business, at_cafe, stop=stop, pace=pace))
    try:
        await _barbershop_day(sandbox, watcher, stop=stop, pace=pace)
        if beside is not None:
            await beside
    finally:
        if beside is not None:
            beside.cancel()
    if stop.is_set():
        return
    console.rule("The day is over: following the last sales and orders to their end")
    watchers: list[Watcher[Any]] = [watcher] + ([cafe[1]] if cafe else [])
    for each in watchers:
        await each.settled(within=SETTLE_SECONDS)
    await print_summary(watcher, *watchers[1:])
    console.rule("The hub keeps running (Ctrl+C to stop)")


async def _barbershop_day(
    sandbox: Sandbox, watcher: Watcher[Cin7Stock], *, stop: asyncio.Event, pace: float
) -> None:
    for number, step in enumerate(day_plan(), start=1):
        if stop.is_set():
            return
        sale_id = f"SIM-{number:04d}"
        if step.kind == "sale":
            customer = CUSTOMERS[number % len(CUSTOMERS)] if number % 3 == 1 else None
            await sell(watcher, step, sale_id=sale_id, customer=customer)
        elif step.kind == "outage":
            await _sell_while_down(sandbox, watcher, step, sale_id=sale_id)
        elif step.kind == "order":
            lines = ONLINE_ORDERS[(step.quantity - 1) % len(ONLINE_ORDERS)]
            order_id = f"WEB-{step.quantity:04d}"
            await order_online(
                watcher, business_id=sandbox.tenant_id, order_id=order_id, lines=lines
            )
        else:
            await _warehouse_sets(watcher.stock.client, watcher, step)
        await asyncio.sleep(pace)


async def _sell_while_down(
    sandbox: Sandbox, watcher: Watcher[Cin7Stock], step: Step, *, sale_id: str
) -> None:
    """Switch a fault on in the CIN7 emulator, sell, and switch it off once the hub has
    scheduled a retry: the sale still reaches CIN7, once. The fault waits for the sales
    before it to settle, so that it meets this sale alone, whatever the machine's pace."""
    await watcher.settled(within=FAULT_SECONDS)
    faults = f"{sandbox.cin7_control}/faults"
    await watcher.stock.client.put(faults, json=FAULT)
    say(
        watcher.console,
        f"CIN7  [yellow]emulator fault on[/yellow]: every call to {FAULT['paths'][0]} answers "
        f"{FAULT['kinds'][0]} (PUT {faults})",
    )
    try:
        if await sell(watcher, step, sale_id=sale_id):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(watcher.day.sales[sale_id].retried.wait(), FAULT_SECONDS)
    finally:
        await watcher.stock.client.delete(faults)
    say(watcher.console, "CIN7  [green]emulator fault off[/green]: the next retry goes through")


async def _warehouse_sets(cin7: httpx.AsyncClient, watcher: Watcher[Any], step: Step) -> None:
    """The warehouse changes stock in CIN7 itself (stock adjustments set absolute figures)."""
    body = {
        "EffectiveDate": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S"),
        "Status": "COMPLETED",
        "Reference": f"{step.kind} {step.sku}",
        "Lines": [
            {
                "SKU": step.sku,
                "Quantity": step.quantity,
                "UnitCost": 5,
                "Location": "Main Warehouse",
            }
        ],
    }
    answer = await cin7.post("/stockadjustment", json=body)
    verb = "counted" if step.kind == "count" else "restocked"
    status = "" if answer.is_success else f" [red](CIN7 answered {answer.status_code})[/red]"
    name = NAMES[step.sku]
    say(watcher.console, f"CIN7  warehouse {verb} {name}: now {step.quantity} on hand{status}")
