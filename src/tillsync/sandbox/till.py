"""A demo business's till: check the stock, hold it during checkout, record the sale."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from rich.markup import escape

from tillsync.sandbox.catalog import BARBERSHOP, DemoProduct
from tillsync.sandbox.follow import Watcher, say

BARBERSHOP_ITEMS = {p.sku: p for p in BARBERSHOP}


@dataclass(frozen=True)
class Step:
    kind: str  # "sale", "outage" (a sale while CIN7 fails), "count" (an absolute figure),
    # "restock", "order" (an online order; `quantity` is its number in the day)
    sku: str
    quantity: int


async def sell(
    watcher: Watcher[Any],
    step: Step,
    *,
    sale_id: str,
    customer: tuple[str, str] | None = None,
    items: Mapping[str, DemoProduct] = BARBERSHOP_ITEMS,
) -> bool:
    """What a POS does: check, hold during checkout, then record the sale with its hold.

    A walk-in's sale goes through seed 000's RECORD_SALE; a regular's through seed 003's
    POST /api/sales, which also invoices them in the CRM. Whether the sale was recorded.
    """
    pos, till, item = watcher.pos, f"{watcher.shop.till:<5}", items[step.sku]
    check = await _sale_sync(pos, action="CHECK_INVENTORY", sku=step.sku, quantity=step.quantity)
    if not check.get("available"):
        say(watcher.console, f"{till} {item.name}: [red]{escape(str(check.get('message')))}[/red]")
        watcher.blocked(sale_id)
        return False
    hold = await _sale_sync(
        pos, action="RESERVE", sku=step.sku, quantity=step.quantity, ttlSeconds=120
    )
    price = float(item.price)  # a POS sends a JSON number
    line = {"sku": step.sku, "name": item.name, "quantity": step.quantity, "price": price}
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
        say(watcher.console, f"{till} {item.name}: [red]{escape(str(sale.get('message')))}[/red]")
        watcher.blocked(sale_id)
        return False
    say(watcher.console, f"{till} sold {step.quantity} × {item.name}{to} ({sale_id})")
    watcher.follow(sale_id)
    return True


async def _sale_sync(pos: httpx.AsyncClient, **body: object) -> dict[str, Any]:
    answer = await pos.post("/api/cin7/sale-sync", json=body)
    data: dict[str, Any] = answer.json()
    return data
