"""A simulated day of trade at the demo barbershop, printed as it happens."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx
from rich.console import Console

from tillsync.sandbox.catalog import BARBERSHOP

if TYPE_CHECKING:  # the runner imports this module to start the day
    from tillsync.sandbox.runner import Sandbox

PRICES = {p.sku: p.price for p in BARBERSHOP}
NAMES = {p.sku: p.name for p in BARBERSHOP}
PACE_SECONDS = 4.0
CUSTOMERS = (("cust-001", "Marcus Fade"), ("cust-002", "Dee Taper"), ("cust-003", "Lou Lineup"))
"""Regulars the cashier picks at checkout: their sales also become paid CRM invoices."""


@dataclass(frozen=True)
class Step:
    kind: str  # "sale", "count" (warehouse sets an absolute figure), "restock"
    sku: str
    quantity: int


def day_plan(seed: int = 45) -> list[Step]:
    """Walk-in sales through the day, a cycle count that finds a shelf empty, a delivery."""
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
    plan.insert(6, Step("count", "REUZEL-FIBER", 0))
    plan.insert(9, Step("sale", "REUZEL-FIBER", 1))
    plan.insert(12, Step("restock", "BEARDBALM-CEDAR", 12))
    plan.append(Step("restock", "REUZEL-FIBER", 18))
    return plan


async def simulate_day(sandbox: Sandbox, *, console: Console, stop: asyncio.Event) -> None:
    headers = {"Authorization": f"Bearer {sandbox.api_key}"}
    # The warehouse team works in CIN7 through their own API application (own rate budget).
    staff = sandbox.cin7.add_application_key(sandbox.cin7_account_id)
    cin7_headers = {
        "api-auth-accountid": staff.account_id,
        "api-auth-applicationkey": staff.application_key,
    }
    async with (
        httpx.AsyncClient(base_url=sandbox.hub_url, headers=headers, timeout=30) as pos,
        httpx.AsyncClient(base_url=sandbox.cin7_url, headers=cin7_headers, timeout=30) as cin7,
    ):
        alerts = asyncio.create_task(_print_alerts(pos, console))
        try:
            console.rule("A simulated day of trade")
            for number, step in enumerate(day_plan(), start=1):
                if stop.is_set():
                    return
                if step.kind == "sale":
                    customer = CUSTOMERS[number % len(CUSTOMERS)] if number % 3 == 1 else None
                    await _sell(pos, console, step, sale_id=f"SIM-{number:04d}", customer=customer)
                else:
                    await _warehouse_sets(cin7, console, step)
                await asyncio.sleep(PACE_SECONDS)
            console.rule("The day is over: the hub keeps running (Ctrl+C to stop)")
        finally:
            alerts.cancel()
            await asyncio.gather(alerts, return_exceptions=True)


def _say(console: Console, text: str) -> None:
    console.print(f"[dim]{dt.datetime.now(dt.UTC).strftime('%H:%M:%S')}[/dim] {text}")


async def _sell(
    pos: httpx.AsyncClient,
    console: Console,
    step: Step,
    *,
    sale_id: str,
    customer: tuple[str, str] | None = None,
) -> None:
    """What a POS does: check, hold during checkout, then record the sale with its hold."""
    name = NAMES[step.sku]
    check = await _sale_sync(pos, action="CHECK_INVENTORY", sku=step.sku, quantity=step.quantity)
    if not check.get("available"):
        _say(console, f"POS   {name}: [red]{check.get('message')}[/red] - sale blocked")
        return
    hold = await _sale_sync(
        pos, action="RESERVE", sku=step.sku, quantity=step.quantity, ttlSeconds=120
    )
    price = float(PRICES[step.sku])
    if customer is not None:
        await _sell_to(
            pos, console, step, sale_id=sale_id, customer=customer, hold=hold, price=price
        )
        return
    sale = await _sale_sync(
        pos,
        action="RECORD_SALE",
        saleId=sale_id,
        invoiceNumber=f"INV-{sale_id}",
        items=[{"sku": step.sku, "name": name, "quantity": step.quantity, "price": price}],
        reservationIds=[hold["reservationId"]] if hold.get("reserved") else [],
    )
    if sale.get("success"):
        _say(
            console,
            f"POS   sold {step.quantity} × {name} ({sale_id}), "
            f"push to CIN7: {sale.get('syncStatus')}",
        )
    else:
        _say(console, f"POS   {name}: [red]{sale.get('message')}[/red]")


async def _sell_to(
    pos: httpx.AsyncClient,
    console: Console,
    step: Step,
    *,
    sale_id: str,
    customer: tuple[str, str],
    hold: dict[str, object],
    price: float,
) -> None:
    """A sale to a known customer, through seed 003's POST /api/sales: the CRM invoices it."""
    name = NAMES[step.sku]
    body = {
        "saleId": sale_id,
        "customerId": customer[0],
        "customerName": customer[1],
        "currency": "USD",
        "paymentMethod": "card",
        "items": [{"sku": step.sku, "name": name, "quantity": step.quantity, "price": price}],
        "reservationIds": [hold["reservationId"]] if hold.get("reserved") else [],
    }
    sale: dict[str, Any] = (await pos.post("/api/sales", json=body)).json()
    if sale.get("success"):
        crm = sale["crmStatus"]["state"]
        _say(
            console,
            f"POS   sold {step.quantity} × {name} to {customer[1]} ({sale_id}), "
            f"push to CIN7: {sale['inventoryStatus']['state']}, CRM invoice: {crm}",
        )
    else:
        _say(console, f"POS   {name}: [red]{sale.get('message')}[/red]")


async def _sale_sync(pos: httpx.AsyncClient, **body: object) -> dict[str, object]:
    answer = await pos.post("/api/cin7/sale-sync", json=body)
    data: dict[str, object] = answer.json()
    return data


async def _warehouse_sets(cin7: httpx.AsyncClient, console: Console, step: Step) -> None:
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
    _say(console, f"CIN7  warehouse {verb} {NAMES[step.sku]}: now {step.quantity} on hand{status}")


async def _print_alerts(pos: httpx.AsyncClient, console: Console) -> None:
    with contextlib.suppress(httpx.HTTPError):
        async with pos.stream("GET", "/api/events", timeout=None) as stream:
            event = ""
            async for line in stream.aiter_lines():
                if line.startswith("event: "):
                    event = line.removeprefix("event: ")
                elif line.startswith("data: ") and event.startswith("alert."):
                    alert = json.loads(line.removeprefix("data: "))
                    style = "red" if alert["severity"] == "critical" else "yellow"
                    verb = "raised" if event == "alert.raised" else "resolved"
                    _say(console, f"LIVE  [{style}]alert {verb}: {alert['message']}[/{style}]")
