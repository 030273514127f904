"""Online orders in the simulated day: an ordering app's orders through `POST /api/v1/orders`,
followed until the POS has them (their POS order id) or their push gave up.

Items that name a SKU of the business's catalog hold and sell its stock (the hub pushes
that sale to the stock source itself); dish-only items only go to the POS. The day follows the
order, not its sale: the sale belongs to the order and is not a till's.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import httpx
from rich.markup import escape

from tillsync.excerpts import excerpt
from tillsync.sandbox.follow import POLL_SECONDS, FollowedOrder, Watcher, say

SETTLED = ("success", "failed")


@dataclass(frozen=True)
class Dish:
    dish_id: str
    name: str
    price: Decimal
    sku: str | None = None
    """A SKU of the business's catalog: the item then holds and sells its stock."""


CHAI = Dish("dish-chai", "Masala Chai", Decimal("3.00"))
NAAN = Dish("dish-naan", "Garlic Naan", Decimal("3.50"))
SHAMPOO = Dish("dish-shampoo", "Daily Shampoo 250ml", Decimal("13.50"), "SHAMPOO-DAILY")
BLADE_OIL = Dish("dish-blade-oil", "Andis Clipper Blade Oil", Decimal("6.50"), "ANDIS-BLADE-OIL")
ONLINE_ORDERS: tuple[tuple[tuple[Dish, int], ...], ...] = (
    ((CHAI, 2), (NAAN, 1)),
    ((SHAMPOO, 1), (CHAI, 1)),
    ((BLADE_OIL, 2),),
)
"""What the ordering app's customers order from the barbershop (dish, quantity)."""
CUSTOMER = {"name": "Asha Online", "phone": "+1 555 0142"}


def order_body(
    business_id: str, order_id: str, lines: tuple[tuple[Dish, int], ...]
) -> dict[str, Any]:
    items = []
    for dish, quantity in lines:
        item: dict[str, Any] = {
            "dish_id": dish.dish_id,
            "name": dish.name,
            "quantity": quantity,
            "unit_price": float(dish.price),  # an app sends a JSON number
        }
        if dish.sku is not None:
            item["sku"] = dish.sku
        items.append(item)
    return {
        "business_id": business_id,
        "order_id": order_id,
        "currency": "USD",
        "items": items,
        "customer": CUSTOMER,
    }


async def order_online(
    watcher: Watcher[Any],
    *,
    business_id: str,
    order_id: str,
    lines: tuple[tuple[Dish, int], ...],
) -> None:
    """Place an online order at the business, print it, and follow it."""
    watcher.expect_order(order_id)
    body = order_body(business_id, order_id, lines)
    answer = await watcher.pos.post("/api/v1/orders", json=body)
    if not answer.is_success:
        message = escape(str(_json(answer).get("message") or answer.status_code))
        say(watcher.console, f"WEB   order {order_id}: [red]{message}[/red]")
        watcher.refused_order(order_id)
        return
    said = ", ".join(
        f"{quantity} × {dish.name}" + (f" ({dish.sku})" if dish.sku else "")
        for dish, quantity in lines
    )
    say(watcher.console, f"WEB   order {order_id} placed online: {said}")
    watcher.spawn(follow_order(watcher, watcher.day.orders[order_id]))


async def follow_order(watcher: Watcher[Any], order: FollowedOrder) -> None:
    """Poll the order until each POS push has settled; print retries and the POS order id."""
    path = f"/api/v1/orders/{quote(order.reference, safe='')}"
    shown: dict[str, tuple[Any, ...]] = {}
    while True:
        try:
            data = _json(await watcher.pos.get(path)).get("data") or {}
        except httpx.HTTPError:
            data = {}
        syncs = (data.get("order") or {}).get("syncs", [])
        for sync in syncs:
            _report(watcher, order, sync, shown)
        if syncs and all(sync["status"] in SETTLED for sync in syncs):
            order.settled = True
            return
        await asyncio.sleep(POLL_SECONDS)


def _report(
    watcher: Watcher[Any], order: FollowedOrder, sync: dict[str, Any], shown: dict[str, Any]
) -> None:
    state = (sync["status"], sync["next_retry_at"])
    if shown.get(sync["id"]) == state or sync["status"] not in (*SETTLED, "retry"):
        return
    shown[sync["id"]] = state
    who, ref = f"{sync['provider'].upper():<5}", escape(order.reference)
    error = escape(excerpt(sync["error_message"] or "", 90))
    if sync["status"] == "retry":
        order.retries += 1
        say(watcher.console, f"{who} order {ref}: [yellow]{error}[/yellow], retry scheduled")
    elif sync["status"] == "failed":
        order.failed = True
        say(watcher.console, f"{who} order {ref}: [red]gave up: {error}[/red]")
    else:
        order.pos_order_id = sync["pos_order_id"]
        after = f" after {order.retries} retries" if order.retries else ""
        say(
            watcher.console,
            f"{who} order {ref} in {sync['provider'].capitalize()}: "
            f"order {escape(str(order.pos_order_id))}{after}",
        )


def _json(answer: httpx.Response) -> dict[str, Any]:
    try:
        data = answer.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
