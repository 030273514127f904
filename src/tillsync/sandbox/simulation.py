"""A simulated day of trade at the demo barbershop, printed as it happens."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx
from rich.markup import escape

from tillsync.sandbox.catalog import BARBERSHOP
from tillsync.sandbox.follow import Watcher, say
from tillsync.sandbox.online import order_online
from tillsync.sandbox.summary import print_summary

if TYPE_CHECKING:  # the runner imports this module to start the day
    from tillsync.sandbox.runner import Sandbox

PRICES = {p.sku: p.price for p in BARBERSHOP}
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


@dataclass(frozen=True)
class Step:
    kind: str  # "sale", "outage" (a sale while CIN7 fails), "count" (an absolute figure),
    # "restock", "order" (an online order; `quantity` is its number in the day)
    sku: str
    quantity: int


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
    sandbox: Sandbox, watcher: Watcher, *, stop: asyncio.Event, pace: float = PACE_SECONDS
) -> None:
    console = watcher.console
    console.rule("A simulated day of trade")
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
            await order_online(sandbox, watcher, step.quantity)
        else:
            await _warehouse_sets(watcher.cin7, watcher, step)
        await asyncio.sleep(pace)
    console.rule("The day is over: following the last sales and orders to their end")
    await watcher.settled(within=SETTLE_SECONDS)
    await print_summary(watcher)
    console.rule("The hub keeps running (Ctrl+C to stop)")


async def sell(
    watcher: Watcher, step: Step, *, sale_id: str, customer: tuple[str, str] | None = None
) -> bool:
    """What a POS does: check, hold during checkout, then record the sale with its hold.

    A walk-in's sale goes through seed 000's RECORD_SALE; a regular's through seed 003's
    POST /api/sales, which also invoices them in the CRM. Whether the sale was recorded.
    """
    pos, name = watcher.pos, NAMES[step.sku]
    check = await _sale_sync(pos, action="CHECK_INVENTORY", sku=step.sku, quantity=step.quantity)
    if not check.get("available"):
        say(watcher.console, f"POS   {name}: [red]{escape(str(check.get('message')))}[/red]")
        watcher.blocked(sale_id)
        return False
    hold = await _sale_sync(
        pos, action="RESERVE", sku=step.sku, quantity=step.quantity, ttlSeconds=120
    )
    price = float(PRICES[step.sku])  # a POS sends a JSON number
    line = {"sku": step.sku, "name": name, "quantity": step.quantity, "price": price}
    held = [hold["reservationId"]] if hold.get("reserved") else []
    watcher.expect(sale_id, invoice_wanted=customer is not None)
    if customer is None:
        sale = await _sale_sync(
            pos,
            action="RECORD_SALE",
            saleId=sale_id,
            invoiceNumber=f"INV-{sale_id}",
            items=[line],
            reservationIds=held,
        )
        to = ""
    else:
        body = {
            "saleId": sale_id,
            "customerId": customer[0],
            "customerName": customer[1],
            "currency": "USD",
            "paymentMethod": "card",
            "items": [line],
            "reservationIds": held,
        }
        sale = (await pos.post("/api/sales", json=body)).json()
        to = f" to {customer[1]}"
    if not sale.get("success"):
        say(watcher.console, f"POS   {name}: [red]{escape(str(sale.get('message')))}[/red]")
        watcher.blocked(sale_id)
        return False
    say(watcher.console, f"POS   sold {step.quantity} × {name}{to} ({sale_id})")
    watcher.follow(sale_id)
    return True


async def _sell_while_down(sandbox: Sandbox, watcher: Watcher, step: Step, *, sale_id: str) -> None:
    """Switch a fault on in the CIN7 emulator, sell, and switch it off once the hub has
    scheduled a retry: the sale still reaches CIN7, once."""
    faults = f"{sandbox.cin7_control}/faults"
    await watcher.cin7.put(faults, json=FAULT)
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
        await watcher.cin7.delete(faults)
    say(watcher.console, "CIN7  [green]emulator fault off[/green]: the next retry goes through")


async def _sale_sync(pos: httpx.AsyncClient, **body: object) -> dict[str, Any]:
    answer = await pos.post("/api/cin7/sale-sync", json=body)
    data: dict[str, Any] = answer.json()
    return data


async def _warehouse_sets(cin7: httpx.AsyncClient, watcher: Watcher, step: Step) -> None:
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
