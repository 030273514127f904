"""A provider's webhook delivery received: authenticated, read, stored once, queued to apply."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from tillsync.connectors.contract import Provider, WebhookAuth
from tillsync.connectors.deliveries import Delivery
from tillsync.errors import NotAuthenticated
from tillsync.jobs.store import NewJob, enqueue
from tillsync.services.connections.registrations import webhook_secret
from tillsync.services.context import Services
from tillsync.services.inbound import signed
from tillsync.services.inbound.reading import read_events
from tillsync.store.database import insert_unless_present
from tillsync.store.tables import Connection, InboxEntry, new_id
from tillsync.store.uow import UnitOfWork

log = logging.getLogger(__name__)
APPLY_PRIORITY = 20


@dataclass(frozen=True, slots=True)
class Receipt:
    received: int
    stored: int

    @property
    def duplicates(self) -> int:
        return self.received - self.stored


async def receive_webhook(
    services: Services,
    *,
    provider: str,
    connection_id: str | None,
    headers: Mapping[str, str],
    read_body: Callable[[], Awaitable[bytes]],
) -> Receipt:
    """Verify, then read, store and queue a delivery; answer at once. Duplicates are stored once.

    The secret is checked before the body is read, so a caller without it learns nothing of
    its body (a signed delivery: the signature, which covers the body, before it is
    believed); a body the provider would not send is refused and logged, and nothing of it
    is stored.
    """
    declared = services.providers.get(provider)
    if declared.webhook_auth is WebhookAuth.HMAC:
        connection, events = await signed.receive(
            services, declared, connection_id=connection_id, headers=headers, read_body=read_body
        )
    else:
        connection, events = await _by_secret(
            services, declared, connection_id=connection_id, headers=headers, read_body=read_body
        )
    stored = 0
    async with services.uows.begin() as uow:
        for event in events:
            entry_id = new_id()
            if await _store(uow, connection, entry_id, event):
                stored += 1
                await enqueue_apply(uow, connection, entry_id)
        await uow.commit()
    return Receipt(received=len(events), stored=stored)


async def _by_secret(
    services: Services,
    declared: Provider,
    *,
    connection_id: str | None,
    headers: Mapping[str, str],
    read_body: Callable[[], Awaitable[bytes]],
) -> tuple[Connection, list[Delivery]]:
    """A delivery that carries the connection's secret: checked before the body is read."""
    async with services.uows.read() as session:
        connection = await session.get(Connection, connection_id) if connection_id else None
    if connection is not None and connection.provider != declared.name:
        connection = None  # another provider's connection: not its secret to check
    deliveries = declared.deliveries
    secret = webhook_secret(services, connection) if connection else None
    if (
        connection is None
        or deliveries is None
        or not secret
        or not deliveries.verify(headers, secret=secret)
    ):
        log.warning(
            "%s webhook refused: unknown connection or wrong secret",
            declared.title,
            extra={"connection_id": connection_id},
        )
        raise NotAuthenticated("webhook secret missing or wrong", field="Authorization")
    return connection, await read_events(declared, deliveries, headers, read_body, connection.id)


async def enqueue_apply(uow: UnitOfWork, connection: Connection, entry_id: str) -> None:
    """Queue the job that applies a stored delivery."""
    await enqueue(
        uow.session,
        NewJob(
            kind=f"{connection.provider}.apply_webhook",
            payload={"inbox_id": entry_id},
            idempotency_key=entry_id,
            tenant_id=connection.tenant_id,
            connection_id=connection.id,
            priority=APPLY_PRIORITY,
        ),
        now=uow.now,
    )


async def _store(uow: UnitOfWork, connection: Connection, entry_id: str, event: Delivery) -> bool:
    values = {
        "id": entry_id,
        "tenant_id": connection.tenant_id,
        "connection_id": connection.id,
        "provider": connection.provider,
        "event_type": event.type,
        "dedupe_key": event.dedupe_key,
        "payload": event.data,
        "verdict": "verified",
        "status": "received",
        "received_at": uow.now,
    }
    result = await uow.session.execute(insert_unless_present(uow.session, InboxEntry, values))
    return bool(getattr(result, "rowcount", 0))
