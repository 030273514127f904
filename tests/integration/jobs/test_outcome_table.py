"""Every class of CIN7 answer drives a sale push to the right state and next attempt time."""

import dataclasses
import datetime as dt
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tests.support.ledger import seed_stock
from tillsync.bootstrap import Hub, job_handlers, open_hub
from tillsync.clock import FakeClock
from tillsync.config import Settings
from tillsync.connectors.metered import ProviderClients
from tillsync.jobs.worker import Worker
from tillsync.services import sales
from tillsync.services.health import ConnectionHooks
from tillsync.services.tenants import Caller, create_tenant
from tillsync.store.tables import Connection, Job

BASE = "http://cin7.test/ExternalApi/v2"
THROTTLE_TEXT = (
    b'[{"ErrorCode":400,"Exception":"You have reached 60 calls per 60 seconds API limit."}]'
)
CREATED = {"ID": "5a1e0000-0000-0000-0000-000000000001", "Status": "ORDERING"}


def answer(status: int, body: Any = None, **headers: str) -> Callable[[httpx.Request], Any]:
    def respond(request: httpx.Request) -> httpx.Response:
        if isinstance(body, bytes):
            return httpx.Response(status, content=body, headers=headers)
        return httpx.Response(status, json=body if body is not None else CREATED, headers=headers)

    return respond


def fail_with(error: type[Exception]) -> Callable[[httpx.Request], Any]:
    def respond(request: httpx.Request) -> httpx.Response:
        raise error("simulated", request=request)  # type: ignore[call-arg]

    return respond


SECONDS_OF_SEED_004 = 300.0
CASES = [
    ("2xx", answer(200), "success", None),
    ("400", answer(400, [{"ErrorCode": 400, "Exception": "Customer not found"}]), "failed", None),
    ("401", answer(401, b"no"), "failed", None),
    ("404", answer(404, [{"ErrorCode": 404, "Exception": "Not found"}]), "failed", None),
    ("408", answer(408, b""), "retry", SECONDS_OF_SEED_004),
    ("409", answer(409, b""), "retry", SECONDS_OF_SEED_004),
    ("422", answer(422, [{"ErrorCode": 422, "Exception": "Lines is invalid"}]), "failed", None),
    ("429 with a wait", answer(429, b"slow down", **{"Retry-After": "120"}), "retry", 120.0),
    ("429 without a wait", answer(429, b"slow down"), "retry", 5.0),
    ("500", answer(500, b"boom"), "retry", SECONDS_OF_SEED_004),
    ("502", answer(502, b"bad gateway"), "retry", SECONDS_OF_SEED_004),
    ("503", answer(503, b"You reached 60 calls per minute API limit"), "retry", 5.0),
    ("400 calls per 60 seconds", answer(400, THROTTLE_TEXT), "retry", 5.0),
    ("timeout", fail_with(httpx.ReadTimeout), "retry", SECONDS_OF_SEED_004),
    ("reset", fail_with(httpx.RemoteProtocolError), "retry", SECONDS_OF_SEED_004),
]


@pytest.fixture
async def clocked_hub(settings: Settings) -> AsyncIterator[tuple[Hub, FakeClock]]:
    clock = FakeClock(dt.datetime(2026, 11, 21, 9, 30, tzinfo=dt.UTC))
    async with open_hub(settings, clock=clock) as hub:
        yield hub, clock


async def _connected_sale(hub: Hub) -> str:
    tenant = await create_tenant(hub.uows, name="Fade Factory")
    await seed_stock(hub, tenant.tenant_id, "TOMB45SHAVECBLCK", 10)
    secrets = {"account_id": "acc", "application_key": "key", "webhook_secret": "s"}
    async with hub.uows.begin() as uow:
        uow.session.add(
            Connection(
                tenant_id=tenant.tenant_id,
                provider="cin7",
                role="warehouse",
                base_url=BASE,
                credentials=hub.services.vault.seal_json(secrets),
                settings={
                    "customer": "Walk-in Customer",
                    "tax_rule": "Tax Exempt",
                    "revenue_account": "200",
                    "push_mode": "per_sale",
                },
                created_at=uow.now,
                updated_at=uow.now,
            )
        )
        await uow.commit()
    caller = Caller(tenant_id=tenant.tenant_id, default_location="Main Warehouse")
    line = sales.LineInput(sku="TOMB45SHAVECBLCK", quantity=Decimal(1), price=Decimal("29.99"))
    recorded = await sales.record_sale(
        hub.uows, caller, sales.SaleInput(sale_id="POS-1", items=(line,))
    )
    return recorded.sale.id


@pytest.mark.parametrize(("name", "respond", "state", "delay"), CASES, ids=[c[0] for c in CASES])
async def test_each_answer_class_sets_state_and_next_attempt(
    clocked_hub: tuple[Hub, FakeClock],
    name: str,
    respond: Callable[[httpx.Request], Any],
    state: str,
    delay: float | None,
) -> None:
    hub, clock = clocked_hub
    await _connected_sale(hub)
    async with ProviderClients(timeout=5.0, transport=httpx.MockTransport(respond)) as http:
        services = dataclasses.replace(hub.services, http=http)
        worker = Worker(
            uows=hub.uows,
            handlers=job_handlers(services),
            hooks=ConnectionHooks(hub.settings, hub.services.providers),
        )
        await worker.run_until_idle()
    async with hub.uows.read() as session:
        job = await session.scalar(select(Job).where(Job.kind == "cin7.push_sale"))
    assert job is not None
    assert job.state == state, (name, job.last_error)
    if delay is None:
        assert job.completed_at == clock.now()
    else:
        assert job.next_attempt_at == clock.now() + dt.timedelta(seconds=delay)
