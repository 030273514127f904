"""Connecting a tenant to CIN7 Core: check the keys, store them sealed, register webhooks."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.connectors.budget import BudgetSpec
from tillsync.connectors.cin7.client import DEFAULT_BASE_URL, Cin7Client
from tillsync.errors import (
    AuthFailed,
    InvalidInput,
    NotFound,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    Retryable,
    Throttled,
)
from tillsync.jobs.store import NewJob, enqueue
from tillsync.jobs.worker import InvalidPayload
from tillsync.services.context import Services
from tillsync.store.database import insert_unless_present
from tillsync.store.tables import Connection, Tenant, WebhookRegistration, new_id
from tillsync.store.uow import UnitOfWork

log = logging.getLogger(__name__)
PROVIDER = "cin7"
RATE_CALLS = 60
RATE_WINDOW_SECONDS = 60.0
WEBHOOK_TYPES = (
    "Stock/AvailableStockLevelChanged",
    "Product/Updated",
    "Sale/ShipmentAuthorised",
)
DEFAULT_SETTINGS: dict[str, Any] = {
    "location": "Main Warehouse",
    "customer": "Walk-in Customer",
    "tax_rule": "Tax Exempt",
    "revenue_account": "200",
}


@dataclass(frozen=True, slots=True)
class Credentials:
    account_id: str
    application_key: str
    webhook_secret: str


def credentials(services: Services, connection: Connection) -> Credentials:
    if not connection.credentials:  # removed by DELETE /api/cin7/credentials; history stays
        raise NotFound("the CIN7 connection is disconnected", field="connection")
    return Credentials(**services.vault.open_json(connection.credentials))


def budget_of(
    account_id: str, application_key: str, settings: dict[str, Any]
) -> tuple[str, BudgetSpec]:
    """CIN7 counts 60 calls a minute per API application (its key); a setting may lower it."""
    limit = settings.get("rate_limit") or {}
    spec = BudgetSpec(
        calls=int(limit.get("calls", RATE_CALLS)),
        window_seconds=float(limit.get("window_seconds", RATE_WINDOW_SECONDS)),
    )
    digest = hashlib.sha256(f"{account_id}:{application_key}".encode()).hexdigest()[:16]
    return f"cin7:{digest}", spec


def budget_for(services: Services, connection: Connection) -> tuple[str, BudgetSpec]:
    creds = credentials(services, connection)
    return budget_of(creds.account_id, creds.application_key, connection.settings)


def client_for(
    services: Services, connection: Connection, *, lane: str, wait: bool = False
) -> Cin7Client:
    """A client whose every call first takes a grant from the account's shared budget."""
    creds = credentials(services, connection)
    return _client(
        services,
        base_url=connection.base_url,
        account_id=creds.account_id,
        application_key=creds.application_key,
        settings=connection.settings,
        lane=lane,
        wait=wait,
    )


def _client(
    services: Services,
    *,
    base_url: str,
    account_id: str,
    application_key: str,
    settings: dict[str, Any],
    lane: str,
    wait: bool,
) -> Cin7Client:
    budget, spec = budget_of(account_id, application_key, settings)
    return Cin7Client(
        services.http,
        base_url=base_url,
        account_id=account_id,
        application_key=application_key,
        gate=services.budgets.gate(budget, spec, lane=lane, wait=wait),
    )


async def load_connection(session: AsyncSession, connection_id: str | None) -> Connection:
    connection = await session.get(Connection, connection_id) if connection_id else None
    if connection is None:
        raise InvalidPayload(f"the job's connection {connection_id} does not exist")
    return connection


def webhook_url(services: Services, connection_id: str) -> str:
    return f"{services.settings.resolved_public_url}/api/cin7/webhook?connection={connection_id}"


async def connect(
    services: Services,
    *,
    tenant_id: str,
    account_id: str,
    application_key: str,
    base_url: str = DEFAULT_BASE_URL,
    settings: dict[str, Any] | None = None,
) -> Connection:
    """Validate the pair with /me, store it sealed, register webhooks, queue the first sync."""
    merged = {**DEFAULT_SETTINGS, **(settings or {})}
    probe = _client(
        services,
        base_url=base_url,
        account_id=account_id,
        application_key=application_key,
        settings=merged,
        lane="urgent",
        wait=True,
    )
    try:
        me = await probe.me()
    except AuthFailed as exc:
        raise InvalidInput(f"CIN7 refused the credentials: {exc.message}", field="apiKey") from exc
    except Throttled as exc:
        raise RateLimited(f"CIN7 asked to slow down: {exc.message}", field="apiKey") from exc
    except Retryable as exc:
        raise ProviderUnavailable(
            f"CIN7 could not be reached: {exc.message}; nothing was stored, try again later"
        ) from exc
    except ProviderError as exc:
        raise InvalidInput(f"CIN7 refused the account: {exc.message}", field="accountId") from exc
    sealed = services.vault.seal_json(
        {
            "account_id": account_id,
            "application_key": application_key,
            "webhook_secret": secrets.token_urlsafe(32),
        }
    )
    async with services.uows.begin() as uow:
        connection = await uow.session.scalar(
            select(Connection).where(
                Connection.tenant_id == tenant_id, Connection.provider == PROVIDER
            )
        )
        if connection is None:
            connection = Connection(
                tenant_id=tenant_id, provider=PROVIDER, role="warehouse", created_at=uow.now
            )
            uow.session.add(connection)
        connection.base_url = base_url.rstrip("/")
        connection.credentials = sealed
        connection.account_name = str(me.get("Company") or "")
        connection.settings = merged
        connection.status = "active"
        connection.error_count = 0
        connection.updated_at = uow.now
        tenant = await uow.session.get(Tenant, tenant_id)
        if tenant is None:
            raise NotFound(f"no tenant {tenant_id}", field="tenant_id")
        tenant.default_location = merged["location"]
        await uow.session.flush()
        await uow.commit()
    await register_webhooks(services, connection)
    async with services.uows.begin() as uow:
        await enqueue_catalog_sync(uow, connection)
        await uow.commit()
    return connection


async def enqueue_catalog_sync(uow: UnitOfWork, connection: Connection) -> None:
    await enqueue(
        uow.session,
        NewJob(
            kind="cin7.sync_catalog",
            payload={},
            idempotency_key=f"{connection.id}:catalog:{uow.now.isoformat()}",
            tenant_id=connection.tenant_id,
            connection_id=connection.id,
            priority=200,
        ),
        now=uow.now,
    )


async def register_webhooks(services: Services, connection: Connection) -> dict[str, str]:
    """Create or update our hook for each type; one type failing does not stop the others."""
    client = client_for(services, connection, lane="urgent", wait=True)
    url = webhook_url(services, connection.id)
    token = credentials(services, connection).webhook_secret
    try:
        existing = {
            hook["Type"]: hook
            for hook in (await client.list_webhooks())
            if hook.get("ExternalURL") == url
        }
    except ProviderError as exc:
        log.warning("listing CIN7 webhooks failed", extra={"error": exc.message})
        existing = {}
    results: dict[str, tuple[str | None, str | None]] = {}  # type → (CIN7 id, error)
    for event_type in WEBHOOK_TYPES:  # calls first: no transaction stays open across them
        body = {
            "Type": event_type,
            "IsActive": True,
            "ExternalURL": url,
            "ExternalAuthorizationType": "bearerauth",
            "ExternalBearerToken": token,
        }
        try:
            if event_type in existing:
                hooks = await client.update_webhook({**body, "ID": existing[event_type]["ID"]})
            else:
                hooks = await client.create_webhook(body)
            results[event_type] = (str(hooks[0].get("ID")) if hooks else None, None)
        except ProviderError as exc:
            results[event_type] = (None, exc.message)
            log.warning(
                "registering a CIN7 webhook failed",
                extra={"event_type": event_type, "error": exc.message},
            )
    async with services.uows.begin() as uow:
        for event_type, (external_id, error) in results.items():
            registration = await registration_row(uow, connection, event_type)
            registration.external_id = external_id or registration.external_id
            registration.status = "failed" if error else "active"
            registration.last_error = error
            registration.updated_at = uow.now
        await uow.commit()
    return {
        event_type: "failed" if error else "active" for event_type, (_, error) in results.items()
    }


async def registration_row(
    uow: UnitOfWork, connection: Connection, event_type: str
) -> WebhookRegistration:
    """The connection's row for one webhook type, added (pending) when there is none yet.

    Connecting and the watchdog may meet a new type at once: the insert skips a row that
    exists, and the row is read back, so one row wins.
    """
    mine = (
        WebhookRegistration.connection_id == connection.id,
        WebhookRegistration.event_type == event_type,
    )
    registration = await uow.session.scalar(select(WebhookRegistration).where(*mine))
    if registration is None:
        new = {
            "id": new_id(),
            "tenant_id": connection.tenant_id,
            "connection_id": connection.id,
            "event_type": event_type,
            "status": "pending",
            "updated_at": uow.now,
        }
        await uow.session.execute(insert_unless_present(uow.session, WebhookRegistration, new))
        registration = await uow.session.scalar(select(WebhookRegistration).where(*mine))
        assert registration is not None
    return registration
