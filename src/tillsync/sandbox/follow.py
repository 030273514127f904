"""Every sale of a demo business followed to its end, through the hub's own API, as a POS would.

A sale is followed until each of its jobs has settled: pushed to the business's stock
source (with the id it was given there, and its number and status as the staff see it),
invoiced in the CRM (with the invoice number), or failed; a retry is shown as it is
scheduled. Sales that come from outside the simulation (the curl examples of the banner)
are noticed in the sync history and followed the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
from collections.abc import AsyncIterator, Coroutine
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Generic
from urllib.parse import quote

import httpx
from rich.console import Console
from rich.markup import escape

from tillsync.excerpts import excerpt
from tillsync.sandbox.businesses import BARBERSHOP
from tillsync.sandbox.cin7 import Cin7Stock, cin7_staff
from tillsync.sandbox.shops import S, Shop

if TYPE_CHECKING:  # the runner imports this module to watch its sales
    from tillsync.sandbox.runner import Sandbox

POLL_SECONDS = 0.5
POLLS_PER_SECOND = 16
"""All followed sales together poll the hub at most about this often. Each followed at its
own pace, sales waiting for their pushes under a tight budget loaded the very hub they
waited on: 150 sales scripted into the sandbox made 300 history reads a second, and the
hub's own sales waited behind them."""
ARRIVALS_SECONDS = 1.0
SETTLED = ("success", "failed")
CRM = "crm"


def say(console: Console, text: str) -> None:
    """One line of the day, stamped with the time (`text` is rich markup)."""
    console.print(f"[dim]{dt.datetime.now(dt.UTC).strftime('%H:%M:%S')}[/dim] {text}")


@dataclass
class Followed:
    """What became of one sale."""

    reference: str
    invoice_wanted: bool
    pushed_as: str | None = None
    invoice: str | None = None
    retries: int = 0
    failed: bool = False
    settled: bool = False
    retried: asyncio.Event = field(default_factory=asyncio.Event)
    """Set when a retry of one of its jobs is scheduled."""


@dataclass
class FollowedOrder:
    """What became of one online order (its pushes to the POS)."""

    reference: str
    pos_order_id: str | None = None
    retries: int = 0
    failed: bool = False
    settled: bool = False


@dataclass
class Day:
    """What the demo saw happen, for its closing summary."""

    sales: dict[str, Followed] = field(default_factory=dict)
    orders: dict[str, FollowedOrder] = field(default_factory=dict)
    refused_orders: int = 0
    blocked: int = 0
    alerts_raised: int = 0
    alerts_resolved: int = 0


class Watcher(Generic[S]):
    """Follows one business's sales as they are recorded; prints what happens to each."""

    def __init__(
        self, *, pos: httpx.AsyncClient, shop: Shop[S], console: Console, day: Day
    ) -> None:
        self.pos, self.shop, self.console, self.day = pos, shop, console, day
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def stock(self) -> S:
        return self.shop.stock

    def expect(self, reference: str, *, invoice_wanted: bool) -> None:
        """A sale about to be sent: the arrivals watch will not take it for a stranger's."""
        self.day.sales.setdefault(reference, Followed(reference, invoice_wanted))

    def blocked(self, reference: str) -> None:
        """A sale the hub refused: nothing to follow."""
        self.day.sales.pop(reference, None)
        self.day.blocked += 1

    def expect_order(self, reference: str) -> None:
        """An online order about to be placed: its pushes show in the history too."""
        self.day.orders.setdefault(reference, FollowedOrder(reference))

    def refused_order(self, reference: str) -> None:
        self.day.orders.pop(reference, None)
        self.day.refused_orders += 1

    def follow(self, reference: str) -> None:
        self.spawn(self._follow(self.day.sales[reference]))

    def spawn(self, following: Coroutine[Any, Any, None]) -> None:
        """Follow something to its end; `settled` waits for it."""
        task = asyncio.create_task(following)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def settled(self, *, within: float) -> bool:
        """Wait (at most `within` seconds) for every followed sale to settle."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(within):
                while self._tasks:
                    await asyncio.gather(*self._tasks, return_exceptions=True)
        return not self._tasks

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def arrivals(self, tenant_id: str) -> None:
        """Notice sales recorded by someone else (a pasted curl) in the sync history."""
        path = f"/api/v1/pos/history/{tenant_id}"
        while True:
            with contextlib.suppress(httpx.HTTPError, ValueError, KeyError):
                logs = (await self.pos.get(path, params={"limit": 100})).json()["data"]["logs"]
                for reference in dict.fromkeys(log["order_id"] for log in logs):
                    known = reference in self.day.sales or reference in self.day.orders
                    if reference and not known:
                        await self._arrived(reference)
            await asyncio.sleep(ARRIVALS_SECONDS)

    async def _arrived(self, reference: str) -> None:
        history = (await self.pos.get(f"/api/sales/{quote(reference, safe='')}/history")).json()
        sale = history["sale"]
        lines = ", ".join(f"{_amount(line['quantity'])} × {line['name']}" for line in sale["lines"])
        self.expect(reference, invoice_wanted=bool(sale["customer_id"]))
        say(self.console, f"API   {escape(reference)} arrived from outside the simulation: {lines}")
        self.follow(reference)

    async def _follow(self, sale: Followed) -> None:
        path = f"/api/sales/{quote(sale.reference, safe='')}/history"
        shown: dict[str, tuple[Any, ...]] = {}
        while True:
            with contextlib.suppress(httpx.HTTPError, ValueError):
                history = (await self.pos.get(path)).json()
                jobs = history.get("jobs", [])
                for job in jobs:
                    await self._report(sale, job, history["sale"], shown)
                if jobs and all(job["status"] in SETTLED for job in jobs):
                    sale.settled = True
                    return
            await asyncio.sleep(max(POLL_SECONDS, len(self._tasks) / POLLS_PER_SECOND))

    async def _report(
        self, sale: Followed, job: dict[str, Any], record: dict[str, Any], shown: dict[str, Any]
    ) -> None:
        """Print a job's news once: a retry scheduled, a push or invoice done, a failure."""
        state = (job["status"], job["next_retry_at"])
        if shown.get(job["id"]) == state or job["status"] not in (*SETTLED, "retry"):
            return
        shown[job["id"]] = state
        who, ref = _label(job["provider"]), escape(sale.reference)
        if job["status"] == "retry":
            sale.retries += 1
            sale.retried.set()
            at = dt.datetime.fromisoformat(job["next_retry_at"]).strftime("%H:%M:%S")
            error = escape(excerpt(job["error_message"], 90))
            say(self.console, f"{who} {ref}: [yellow]{error}[/yellow], retry at {at}")
        elif job["status"] == "failed":
            sale.failed = True
            say(
                self.console,
                f"{who} {ref}: [red]gave up: {escape(excerpt(job['error_message'], 90))}",
            )
        elif job["provider"] == self.stock.provider:
            sale.pushed_as = record["provider_reference"]
            say(self.console, f"{who} {ref} pushed: {await self._pushed(sale)}")
        elif job["provider"] == CRM:
            sale.invoice = job["pos_order_id"]
            say(self.console, f"{who} {ref} invoiced: invoice {escape(str(sale.invoice))}, paid")

    async def _pushed(self, sale: Followed) -> str:
        """The sale as the stock source holds it: its id, and its number and status there."""
        text = f"{self.stock.noun} {sale.pushed_as}"
        if sale.retries:
            text += f" after {sale.retries} retr{'y' if sale.retries == 1 else 'ies'}"
        details = await self.stock.details(str(sale.pushed_as))
        if details is not None:
            text += f" ({escape(details)})"
        others = sum(1 for s in self.day.sales.values() if s.pushed_as == sale.pushed_as) - 1
        if others:  # under a tight budget, waiting sales are pushed as one document
            text += f", one document with {others} other sale(s)"
        return text


@contextlib.asynccontextmanager
async def watching(sandbox: Sandbox, console: Console) -> AsyncIterator[Watcher[Cin7Stock]]:
    """A watcher of the barbershop's sales and alerts, reading CIN7 as its warehouse team
    does (their own API application and budget)."""
    async with cin7_staff(sandbox) as stock:
        shop = Shop(BARBERSHOP, "POS", stock, orders_to="Square")
        async with watching_shop(
            shop,
            hub_url=sandbox.hub_url,
            api_key=sandbox.api_key,
            tenant_id=sandbox.tenant_id,
            console=console,
        ) as watcher:
            yield watcher


@contextlib.asynccontextmanager
async def watching_shop(
    shop: Shop[S], *, hub_url: str, api_key: str, tenant_id: str, console: Console
) -> AsyncIterator[Watcher[S]]:
    """A watcher of one business's sales and alerts, with a POS's client of the hub."""
    headers = {"Authorization": f"Bearer {api_key}"}
    async with httpx.AsyncClient(base_url=hub_url, headers=headers, timeout=30) as pos:
        watcher = Watcher(pos=pos, shop=shop, console=console, day=Day())
        background = [
            asyncio.create_task(watcher.arrivals(tenant_id)),
            asyncio.create_task(print_alerts(pos, console, watcher.day)),
        ]
        try:
            yield watcher
        finally:
            for task in background:
                task.cancel()
            await watcher.close()
            await asyncio.gather(*background, return_exceptions=True)


async def print_alerts(pos: httpx.AsyncClient, console: Console, day: Day) -> None:
    """The live stream's alerts, as a POS screen gets them."""
    with contextlib.suppress(httpx.HTTPError):
        async with pos.stream("GET", "/api/events", timeout=None) as stream:
            event = ""
            async for line in stream.aiter_lines():
                if line.startswith("event: "):
                    event = line.removeprefix("event: ")
                elif line.startswith("data: ") and event.startswith("alert."):
                    alert = json.loads(line.removeprefix("data: "))
                    style = "red" if alert["severity"] == "critical" else "yellow"
                    raised = event == "alert.raised"
                    day.alerts_raised += raised
                    day.alerts_resolved += not raised
                    verb = "raised" if raised else "resolved"
                    message = escape(alert["message"])
                    say(console, f"LIVE  [{style}]alert {verb}: {message}[/{style}]")


def _label(provider: str) -> str:
    return f"{provider.upper():<5}"


def _amount(value: object) -> str:
    return format(Decimal(str(value)).normalize(), "f")
