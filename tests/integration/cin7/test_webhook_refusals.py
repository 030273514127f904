"""POST /api/cin7/webhook refuses what CIN7 never sends: 4xx, logged, never stored or applied."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from tests.support.hubs import RunningHub, running_hub
from tillsync.config import Settings
from tillsync.services.inbound.receiver import enqueue_apply
from tillsync.services.tenants import create_tenant
from tillsync.store.tables import Connection, InboxEntry, Job, StockLevel, new_id

PATH = "/api/cin7/webhook"
SECRET = "whk_refusals_0f9e8d7c6b5a4f3e2d1c0b9a"
CRM_KEY = "crm_refusals_0123456789abcdef"
JSON = "application/json"


@dataclass
class Receiver:
    served: RunningHub
    tenant_id: str
    connection_id: str
    crm_connection_id: str

    async def post(
        self,
        body: bytes,
        *,
        content_type: str | None = JSON,
        secret: str | None = SECRET,
        connection: str | None = None,
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {secret}"} if secret else {}
        if content_type is not None:
            headers["Content-Type"] = content_type
        query = self.connection_id if connection is None else connection
        async with httpx.AsyncClient(base_url=self.served.url) as client:
            return await client.post(f"{PATH}?connection={query}", content=body, headers=headers)

    async def count(self, model: Any) -> int:
        async with self.served.hub.uows.read() as session:
            return int(await session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
async def receiver(settings: Settings) -> AsyncIterator[Receiver]:
    """A hub with a CIN7 connection (and a CRM one) whose webhook secret the test knows."""
    async with running_hub(settings) as served:
        tenant = await create_tenant(served.hub.uows, name="Fade Factory")
        vault = served.hub.services.vault
        async with served.hub.uows.begin() as uow:
            cin7, crm = (
                Connection(
                    tenant_id=tenant.tenant_id,
                    provider=provider,
                    role=role,
                    base_url="http://127.0.0.1:9",
                    credentials=vault.seal_json(credentials),
                    settings={},
                    created_at=uow.now,
                    updated_at=uow.now,
                )
                for provider, role, credentials in (
                    (
                        "cin7",
                        "warehouse",
                        {"account_id": "a", "application_key": "k", "webhook_secret": SECRET},
                    ),
                    ("crm", "crm", {"api_key": CRM_KEY}),
                )
            )
            uow.session.add_all([cin7, crm])
            await uow.commit()
        yield Receiver(served, tenant.tenant_id, cin7.id, crm.id)


def rows(**changes: object) -> list[dict[str, Any]]:
    row = {
        "ID": "p-1",
        "SKU": "POM-STRONG",
        "Name": "Strong Pomade",
        "Location": "Main Warehouse",
        "Bin": "A1",
        "OnHand": 9.0,
        "Allocated": 0.0,
        "Available": 9.0,
    }
    return [row | changes]


def raw(payload: Any) -> bytes:
    return json.dumps(payload).encode()


GOOD = raw(rows())
SALE = {"SaleID": "916ab4c0-6ccb-4c93-873d-0603859050e4", "EventType": "Sale/OrderAuthorised"}


@pytest.mark.parametrize(
    ("body", "content_type", "refusal"),
    [
        (GOOD, "text/plain", (415, "Content-Type")),
        (GOOD, None, (415, "Content-Type")),
        (GOOD, "application/x-www-form-urlencoded", (415, "Content-Type")),
        (b"{not json", JSON, (400, "body")),
        (b"[" * 50_000 + b"]" * 50_000, JSON, (400, "body")),
        (raw(rows(Available="NaN")), JSON, (422, "body[0].Available")),
        (raw(rows(Available=1e308)), JSON, (422, "body[0].Available")),
        (
            GOOD.replace(b'"Available": 9.0', b'"Available": 1e400'),
            JSON,
            (422, "body[0].Available"),
        ),
        (GOOD.replace(b'"Available": 9.0', b'"Available": NaN'), JSON, (422, "body[0].Available")),
        (GOOD.replace(b'"OnHand": 9.0', b'"OnHand": -Infinity'), JSON, (422, "body[0].OnHand")),
        (raw(rows(Available=2_000_000_000)), JSON, (422, "body[0].Available")),
        (raw(rows(Available="nine")), JSON, (422, "body[0].Available")),
        (raw(rows(SKU="")), JSON, (422, "body[0].SKU")),
        (raw(rows(SKU="S" * 101)), JSON, (422, "body[0].SKU")),
        (raw(rows(SKU="POM\x00")), JSON, (422, "body[0].SKU")),
        (raw(rows(Location="Main\x00Warehouse")), JSON, (422, "body[0].Location")),
        (raw({**SALE, "SaleID": "916ab4c0\x00"}), JSON, (422, "body.SaleID")),
        (b'{"SaleID": "\\udc00", "EventType": "Sale/OrderAuthorised"}', JSON, (422, "body.SaleID")),
        (raw({**SALE, "SaleID": {"nested": True}}), JSON, (422, "body.SaleID")),
        (raw("Stock/AvailableStockLevelChanged"), JSON, (422, "body")),
    ],
)
async def test_a_delivery_cin7_never_sends_is_refused_logged_and_never_stored(
    receiver: Receiver,
    caplog: pytest.LogCaptureFixture,
    body: bytes,
    content_type: str | None,
    refusal: tuple[int, str],
) -> None:
    answer = await receiver.post(body, content_type=content_type)
    assert (answer.status_code, answer.json().get("field")) == refusal, answer.text
    assert answer.json()["error"]
    assert answer.json()["message"]
    assert "\\u0000" not in answer.text  # nothing sent is repeated
    assert "CIN7 webhook refused" in caplog.text
    assert await receiver.count(InboxEntry) == 0
    assert await receiver.count(Job) == 0


@pytest.mark.parametrize(
    "connection", ["%00", "a%00b", "x" * 37, "%C3%A9t%C3%A9", "%F0%9F%92%A5", "1%27%20OR%201=1"]
)
async def test_a_connection_value_that_is_no_id_is_refused_before_anything_else(
    receiver: Receiver, caplog: pytest.LogCaptureFixture, connection: str
) -> None:
    answer = await receiver.post(GOOD, secret=None, connection=connection)
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == "connection"
    assert "CIN7 webhook refused" in caplog.text
    assert await receiver.count(InboxEntry) == 0


@pytest.mark.parametrize(
    ("connection", "secret"),
    [("unknown", SECRET), ("crm", CRM_KEY), ("crm", SECRET), ("cin7", "wrong"), ("cin7", None)],
)
async def test_an_unknown_connection_or_a_wrong_secret_is_a_401(
    receiver: Receiver, connection: str, secret: str | None
) -> None:
    target = {"cin7": receiver.connection_id, "crm": receiver.crm_connection_id}
    answer = await receiver.post(GOOD, secret=secret, connection=target.get(connection, connection))
    assert answer.status_code == 401, answer.text
    assert answer.json()["error"] == "not_authenticated"
    assert await receiver.count(InboxEntry) == 0


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"[" * 50_000 + b"]" * 50_000, JSON),
        (GOOD, "text/plain"),
        (b"{not json", JSON),
        (raw(rows(Available="NaN")), JSON),
    ],
)
async def test_a_caller_without_the_secret_learns_nothing_about_its_body(
    receiver: Receiver, body: bytes, content_type: str
) -> None:
    answer = await receiver.post(body, content_type=content_type, secret="wrong")
    assert answer.status_code == 401, answer.text


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (GOOD, "application/json; charset=utf-8"),
        (raw(rows(Available="9", OnHand=-0.0)), JSON),
        (raw(SALE), JSON),
    ],
)
async def test_a_delivery_as_cin7_sends_it_is_accepted(
    receiver: Receiver, body: bytes, content_type: str
) -> None:
    answer = await receiver.post(body, content_type=content_type)
    assert answer.status_code == 202, answer.text
    assert answer.json()["stored"] == 1
    assert await receiver.count(InboxEntry) == 1


@pytest.mark.parametrize(
    "poison",
    [{"Available": 1e308}, {"Available": "NaN"}, {"Available": -1e12}, {"SKU": "S" * 101}],
)
async def test_a_poisoned_entry_that_reaches_its_job_fails_once_and_never_loops(
    receiver: Receiver, poison: dict[str, object]
) -> None:
    """The receiver refuses these; one stored before it did (or by any other way) must not
    crash its job into the retry loop, nor be applied."""
    hub = receiver.served.hub
    entry_id = new_id()
    async with hub.uows.begin() as uow:
        uow.session.add(
            InboxEntry(
                id=entry_id,
                tenant_id=receiver.tenant_id,
                connection_id=receiver.connection_id,
                provider="cin7",
                event_type="Stock/AvailableStockLevelChanged",
                dedupe_key=None,
                payload=rows(**poison),
                verdict="verified",
                status="received",
                received_at=uow.now,
            )
        )
        connection = await uow.session.get(Connection, receiver.connection_id)
        assert connection is not None
        await enqueue_apply(uow, connection, entry_id)
        await uow.commit()
    for _ in range(2):
        await hub.create_worker().run_until_idle()
    async with hub.uows.read() as session:
        job = await session.scalar(select(Job).where(Job.kind == "cin7.apply_webhook"))
        stock = await session.scalar(select(func.count()).select_from(StockLevel))
        entry = await session.get(InboxEntry, entry_id)
    assert job is not None
    assert (job.state, job.attempts, job.error_class) == ("failed", 1, "permanent")
    assert next(iter(poison)) in (job.last_error or "")
    assert stock == 0
    assert entry is not None
    assert entry.status == "failed"
    assert next(iter(poison)) in (entry.error or "")
