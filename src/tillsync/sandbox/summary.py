"""The closing summary of the simulated day: what each business sold, and where it ended up."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tillsync.sandbox.cin7 import Cin7Stock
from tillsync.sandbox.follow import Watcher


async def oversold(watcher: Watcher[Cin7Stock]) -> tuple[Decimal, int]:
    """Units CIN7 had to backorder across the day's sales (sold without stock), and how
    many of its sales could not be read to tell."""
    units, unread = Decimal(0), 0
    for sale_id in {sale.pushed_as for sale in watcher.day.sales.values() if sale.pushed_as}:
        document = await watcher.stock.sale(sale_id)
        if document is None:
            unread += 1
            continue
        lines = document["Order"]["Lines"]
        units += sum((Decimal(str(line["BackorderQuantity"])) for line in lines), Decimal(0))
    return units, unread


def summary_lines(
    watcher: Watcher[Any], *, backordered: Decimal | None = None, unread: int = 0
) -> list[str]:
    """The business's figures; oversold units when its stock source tells them."""
    day, shop = watcher.day, watcher.shop
    sales = list(day.sales.values())
    pushed = [sale for sale in sales if sale.pushed_as]
    retried = sum(1 for sale in pushed if sale.retries)
    wanted = [sale for sale in sales if sale.invoice_wanted]
    invoiced = sum(1 for sale in wanted if sale.invoice)
    orders = list(day.orders.values())
    in_pos = sum(1 for order in orders if order.pos_order_id)
    ends = [(sale.settled, sale.failed) for sale in sales]
    ends += [(order.settled, order.failed) for order in orders]
    waiting = sum(1 for settled, _ in ends if not settled)
    failed = sum(1 for _, gave_up in ends if gave_up)
    lines = [
        f"sales      {len(sales)} recorded, {day.blocked} blocked for want of stock",
        f"pushed     {len(pushed)}/{len(sales)} to {shop.stock.title}"
        + (f" ({retried} after a retry)" if retried else ""),
    ]
    if wanted:
        lines.append(f"invoices   {invoiced}/{len(wanted)} paid in the CRM")
    lines += [
        f"orders     {len(orders)} online, in {shop.orders_to} {in_pos}/{len(orders)}"
        + (f", {day.refused_orders} refused" if day.refused_orders else ""),
        f"alerts     {day.alerts_raised} raised, {day.alerts_resolved} resolved",
    ]
    if backordered is not None:
        lines.append(
            f"oversold   {format(backordered.normalize(), 'f')}"
            + (" (units CIN7 had to backorder)" if backordered else "")
            + (f" ({unread} CIN7 sale(s) could not be read)" if unread else "")
        )
    if waiting or failed:
        lines.append(f"unsettled  {waiting} still under way, {failed} failed")
    return lines


async def print_summary(barbershop: Watcher[Cin7Stock], *others: Watcher[Any]) -> None:
    """Every business's figures, the barbershop's first; printed at once, once all are read."""
    backordered, unread = await oversold(barbershop)
    shown = [(barbershop, summary_lines(barbershop, backordered=backordered, unread=unread))]
    shown += [(other, summary_lines(other)) for other in others]
    console = barbershop.console
    console.rule("The day in numbers")
    for watcher, lines in shown:
        console.print(watcher.shop.name, markup=False, highlight=False, style="bold")
        for line in lines:
            console.print(line, markup=False, highlight=False)
