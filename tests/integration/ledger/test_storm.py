"""Four hub processes on one PostgreSQL database: a storm of sales and holds never oversells.

CIN7's emulator delivers its stock webhooks as the pushes land, while the test replays
deliveries CIN7 sent earlier and sends pairs of them in the wrong order, to every process.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from tests.support.processes import environment, tillsync_process
from tests.support.world import available, eventually
from tillsync.bootstrap import open_hub
from tillsync.config import Settings
from tillsync.emulators.cin7 import Cin7State, create_cin7_emulator
from tillsync.emulators.cin7.commands import ProductSeed
from tillsync.emulators.cin7.events import STOCK_CHANGED, Event
from tillsync.emulators.cin7.records import Webhook
from tillsync.emulators.cin7.wire import dump_json
from tillsync.services.connections.lifecycle import connect
from tillsync.services.tenants import create_tenant
from tillsync.serving import free_port, serve
from tillsync.store.tables import AuditEntry, Job, Sale, SaleLine

pytestmark = [
    pytest.mark.parametrize("backend", ["postgresql"]),
    pytest.mark.timeout(240),
    pytest.mark.long(30),
]

SKUS = ("STORM-A", "STORM-B", "STORM-C", "STORM-D")
STOCK = 10
PROCESSES = 4
REQUESTS = 480
LOCATION = "Main Warehouse"
SETTLING = ("cin7.push_sale", "cin7.push_batch", "cin7.apply_webhook", "cin7.refresh_stock")
"""The jobs that carry sales to CIN7 and its figures back."""
KEEP_ALIVE = httpx.Limits(keepalive_expiry=2)
"""Idle connections are dropped before the hub's server closes them (after 5 s)."""


@asynccontextmanager
async def _hubs(settings: Settings, urls: list[str]) -> AsyncIterator[None]:
    """`tillsync serve` (API and worker) once per address, all on the test's database."""
    async with AsyncExitStack() as stack:
        for url in urls:
            env = environment(settings, TILLSYNC_PUBLIC_URL=url)
            port = url.rsplit(":", 1)[1]
            await stack.enter_async_context(tillsync_process("serve", "--port", port, env=env))
        async with httpx.AsyncClient() as http:
            for url in urls:
                await eventually(lambda url=url: _answers(http, f"{url}/healthz"), within=90)
        yield


async def _answers(http: httpx.AsyncClient, url: str) -> bool:
    try:
        return (await http.get(url)).status_code == 200
    except httpx.TransportError:
        return False


class Storm:
    """The POS side: sales and holds spread over every process, and what each was granted."""

    def __init__(self, urls: list[str], api_key: str) -> None:
        self.clients = [
            httpx.AsyncClient(
                base_url=url,
                headers={"Authorization": f"Bearer {api_key}"},
                timeout=60,
                limits=KEEP_ALIVE,
            )
            for url in urls
        ]
        self.sold: Counter[str] = Counter()
        self.statuses: Counter[int] = Counter()
        self.stale_refusals: list[str] = []

    async def close(self) -> None:
        for client in self.clients:
            await client.aclose()

    async def request(self, number: int) -> None:
        client = self.clients[number % len(self.clients)]
        rng = random.Random(number)
        sku = rng.choice(SKUS)
        if rng.random() < 0.5:
            await self._sell(client, f"STORM-{number}", sku)
            return
        held = await self._post(
            client, {"action": "RESERVE", "sku": sku, "quantity": 1, "ttlSeconds": 60}
        )
        if held is None:
            return
        await asyncio.sleep(rng.random() * 0.2)
        other = self.clients[(number + 1) % len(self.clients)]
        if rng.random() < 0.7:
            await self._sell(other, f"STORM-{number}", sku, held["reservationId"])
        else:
            await self._post(other, {"action": "RELEASE", "reservationId": held["reservationId"]})

    async def _sell(
        self, client: httpx.AsyncClient, sale_id: str, sku: str, *reservations: str
    ) -> None:
        body: dict[str, Any] = {
            "action": "RECORD_SALE",
            "saleId": sale_id,
            "items": [{"sku": sku, "quantity": 1, "price": 12.5}],
        }
        if reservations:
            body["reservationIds"] = list(reservations)
        if await self._post(client, body) is not None:
            self.sold[sku] += 1

    async def _post(self, client: httpx.AsyncClient, body: dict[str, Any]) -> Any:
        answer = await client.post("/api/cin7/sale-sync", json=body)
        self.statuses[answer.status_code] += 1
        if answer.status_code == 409:
            refused = answer.json()
            if refused.get("error") == "insufficient_stock" and refused["message"].startswith(
                "In stock"
            ):
                self.stale_refusals.append(refused["message"])
            return None
        assert answer.status_code == 200, answer.text
        return answer.json()


class Deliveries:
    """Stock deliveries CIN7 sent, replayed later and out of order to every process."""

    def __init__(self, state: Cin7State, urls: list[str]) -> None:
        self.sent: list[Any] = []
        self.urls = urls
        self.replayed = 0
        self._stop = state.events.subscribe(self._heard)

    def _heard(self, event: Event) -> None:
        if event.type == STOCK_CHANGED:
            self.sent.append(event.payload)

    async def replay(self, hook: Webhook, stop: asyncio.Event, *, seed: int) -> None:
        rng = random.Random(seed)
        headers = {
            "Authorization": f"Bearer {hook.bearer_token}",
            "Content-Type": "application/json",
        }
        path = hook.url.split("/api/", 1)[1]
        async with httpx.AsyncClient(headers=headers, timeout=30, limits=KEEP_ALIVE) as http:
            while not stop.is_set():
                await asyncio.sleep(0.05)
                if len(self.sent) < 2:
                    continue
                older, newer = sorted(rng.sample(range(len(self.sent)), 2))
                for index in (newer, older):  # a pair in the wrong order, then a replay
                    url = f"{rng.choice(self.urls)}/api/{path}"
                    answer = await http.post(url, content=dump_json(self.sent[index]))
                    assert answer.status_code == 202, answer.text
                    self.replayed += 1

    def close(self) -> None:
        self._stop()


async def _figures(client: httpx.AsyncClient, sku: str) -> dict[str, Any]:
    body = {"action": "CHECK_INVENTORY", "sku": sku, "quantity": 1}
    answer = await client.post("/api/cin7/sale-sync", json=body)
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


async def test_four_processes_never_oversell_and_end_at_cin7s_figures(
    settings: Settings,
) -> None:
    state = Cin7State()
    state.update_settings(rate_limit=None)
    account = state.create_account()
    state.seed_products(
        account.account_id,
        [ProductSeed(sku=s, name=s.title(), stock={LOCATION: Decimal(STOCK)}) for s in SKUS],
    )
    urls = [f"http://127.0.0.1:{free_port()}" for _ in range(PROCESSES)]
    settings.public_url = urls[0]
    deliveries = Deliveries(state, urls)
    async with serve(create_cin7_emulator(state)) as cin7_url:
        async with open_hub(settings) as hub:
            tenant = await create_tenant(hub.uows, name="Storm Barbers")
            await connect(
                hub.services,
                provider="cin7",
                tenant_id=tenant.tenant_id,
                credentials={
                    "account_id": account.account_id,
                    "application_key": account.application_key,
                },
                base_url=f"{cin7_url}/ExternalApi/v2",
                settings={
                    "retry_interval_seconds": 1,
                    "batch_linger_seconds": 0.5,
                    "rate_limit": {"calls": 6000, "window_seconds": 60},
                },
            )
        [hook] = state.active_webhooks(account.account_id, STOCK_CHANGED)
        async with _hubs(settings, urls):
            storm = Storm(urls, tenant.api_key)
            try:
                for sku in SKUS:  # the first catalog sync has every SKU at 10
                    await eventually(lambda sku=sku: _at(storm.clients[0], sku, STOCK), within=90)
                stop = asyncio.Event()
                replays = [
                    asyncio.create_task(deliveries.replay(hook, stop, seed=n))
                    for n in range(PROCESSES)
                ]
                await asyncio.gather(*(storm.request(n) for n in range(REQUESTS)))
                await asyncio.sleep(2)  # deliveries keep arriving as the last pushes land
                stop.set()
                await asyncio.gather(*replays)
                async with httpx.AsyncClient(
                    base_url=f"{cin7_url}/ExternalApi/v2",
                    headers={
                        "api-auth-accountid": account.account_id,
                        "api-auth-applicationkey": account.application_key,
                    },
                ) as cin7:
                    settled = await _settled(storm.clients[0], cin7, settings)
            finally:
                await storm.close()
                deliveries.close()
    report = {"statuses": dict(storm.statuses), "sold": dict(storm.sold), "final": settled}
    report["replayed"] = deliveries.replayed
    print("storm:", report)  # the figures, for `pytest -s`
    for sku in SKUS:
        assert storm.sold[sku] <= STOCK, report
        assert settled[sku]["cin7"] == STOCK - storm.sold[sku], report
        hub_figures = settled[sku]["hub"]
        assert hub_figures["warehouseAvailable"] == settled[sku]["cin7"], report
        assert (hub_figures["pending"], hub_figures["reserved"]) == (0, 0), report
        assert hub_figures["currentStock"] == settled[sku]["cin7"], report
    assert sum(storm.sold.values()) > 0, report
    assert not storm.stale_refusals, report
    async with open_hub(settings) as hub, hub.uows.read() as session:
        negative = await session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.figure.in_(("pending", "reserved")), AuditEntry.value_after < 0)
        )
        recorded = Counter((await session.execute(select(SaleLine.sku).join(Sale))).scalars().all())
    assert negative == 0, report
    assert recorded == storm.sold, report


async def _at(client: httpx.AsyncClient, sku: str, level: int) -> bool:
    return (await _figures(client, sku))["currentStock"] == level


async def _settled(
    client: httpx.AsyncClient, cin7: httpx.AsyncClient, settings: Settings
) -> dict[str, Any]:
    """Once every job is done and the hub agrees with CIN7 (or a minute has passed)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    async with open_hub(settings) as hub:
        while True:
            figures = {
                sku: {
                    "hub": await _figures(client, sku),
                    "cin7": int(await available(cin7, sku)),
                }
                for sku in SKUS
            }
            async with hub.uows.read() as session:
                busy = await session.scalar(
                    select(func.count())
                    .select_from(Job)
                    .where(Job.state.in_(("pending", "syncing", "retry")), Job.kind.in_(SETTLING))
                )
            agreed = all(
                f["hub"]["warehouseAvailable"] == f["cin7"] and f["hub"]["pending"] == 0
                for f in figures.values()
            )
            if (agreed and not busy) or loop.time() > deadline:
                return figures | {"busy_jobs": busy}
            await asyncio.sleep(0.5)
