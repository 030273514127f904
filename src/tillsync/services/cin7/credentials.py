"""A tenant's CIN7 credentials as seed 001 manages them: put, show masked, remove.

Putting checks the pair with CIN7 and connects exactly as `connection.connect` does; a
replacement keeps the connection row, so jobs, runs and sales stay attached to it. Removing
deletes our webhooks at CIN7 and the sealed credentials, and keeps the row as disconnected.
Nothing here ever returns or logs a secret: only `mask`ed values leave.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from tillsync.connectors.cin7.client import DEFAULT_BASE_URL, Cin7Client
from tillsync.errors import (
    BudgetExhausted,
    ConfigurationError,
    Conflict,
    CredentialsRefused,
    InvalidInput,
    NotFound,
    Permanent,
    ProviderError,
    RateLimited,
)
from tillsync.services.cin7.connection import (
    PROVIDER,
    Credentials,
    budget_of,
    client_for,
    connect,
    credentials,
    webhook_url,
)
from tillsync.services.context import Services
from tillsync.store.tables import Connection, WebhookRegistration

log = logging.getLogger(__name__)
DISCONNECTED = "disconnected"
UNREADABLE = "the stored credentials cannot be opened with the hub's keys (TILLSYNC_SECRET_KEYS)"


def mask(value: str) -> str:
    """Seed 001's mask, the first 8 characters and the last 4, never over a third of the value."""
    head, tail = min(8, len(value) // 4), min(4, len(value) // 8)
    return value[:head] + "..." + (value[len(value) - tail :] if tail else "")


class TenantLocks:
    """One credential change at a time per tenant in this process.

    Two changes at once would each register webhooks and the hooks CIN7 keeps could carry
    the other one's secret. Across processes the last change wins and a DELETE racing a
    PUT is refused (it compares the stored value before clearing it).
    """

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._holders: Counter[str] = Counter()

    @asynccontextmanager
    async def hold(self, tenant_id: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(tenant_id, asyncio.Lock())
        self._holders[tenant_id] += 1
        try:
            async with lock:
                yield
        finally:
            self._holders[tenant_id] -= 1
            if not self._holders[tenant_id]:
                del self._holders[tenant_id], self._locks[tenant_id]


@dataclass(frozen=True, slots=True)
class _Hook:
    event_type: str | None
    external_id: str


async def _current(
    services: Services, tenant_id: str
) -> tuple[Connection | None, list[WebhookRegistration]]:
    async with services.uows.read() as session:
        connection = await session.scalar(
            select(Connection).where(
                Connection.tenant_id == tenant_id, Connection.provider == PROVIDER
            )
        )
        if connection is None:
            return None, []
        registrations = list(
            await session.scalars(
                select(WebhookRegistration)
                .where(WebhookRegistration.connection_id == connection.id)
                .order_by(WebhookRegistration.event_type)
            )
        )
    return connection, registrations


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


async def show(services: Services, tenant_id: str) -> dict[str, Any]:
    """What GET answers: masked values, the account's name, status and webhook states."""
    connection, registrations = await _current(services, tenant_id)
    connected = connection is not None and bool(connection.credentials)
    view: dict[str, Any] = {
        "connected": connected,
        "accountId": None,
        "apiKey": None,
        "accountName": connection.account_name if connection else None,
        "status": connection.status if connection else "not_connected",
        "isActive": connected and connection is not None and connection.status == "active",
        "lastSync": _iso(connection.last_sync_at) if connection else None,
        "connectedAt": _iso(connection.created_at) if connection else None,
        "updatedAt": _iso(connection.updated_at) if connection else None,
        "webhooks": [
            {"type": r.event_type, "status": r.status, "error": r.last_error} for r in registrations
        ],
    }
    if connected and connection is not None:
        try:
            stored = credentials(services, connection)
        except ConfigurationError:
            view["problem"] = UNREADABLE
        else:
            view["accountId"] = mask(stored.account_id)
            view["apiKey"] = mask(stored.application_key)
    return view


async def put(services: Services, *, tenant_id: str, account_id: str, api_key: str) -> None:
    """Check the pair with CIN7's /me, then connect (or reconnect) the tenant with it.

    A refusal changes nothing. A replacement keeps the connection, its settings and its
    history; if the account changed, our webhooks at the old account are removed.
    """
    existing, registrations = await _current(services, tenant_id)
    before = _readable(services, existing)
    base_url = (
        services.settings.cin7_base_url or (existing.base_url if existing else DEFAULT_BASE_URL)
    ).rstrip("/")
    try:
        await connect(
            services,
            tenant_id=tenant_id,
            account_id=account_id,
            application_key=api_key,
            base_url=base_url,
            settings=existing.settings if existing else None,
        )
    except InvalidInput as exc:
        raise CredentialsRefused(exc.message, field=exc.field) from exc
    except BudgetExhausted as exc:
        raise RateLimited(
            f"CIN7's rate limit for this account is used up; try again in "
            f"{max(1, round(exc.wait_seconds))} s",
            field="apiKey",
        ) from exc
    if existing is not None and before is not None and before.account_id != account_id:
        hooks = [_Hook(r.event_type, r.external_id) for r in registrations if r.external_id]
        old = _client_of(services, existing, before)
        _, failures = await _delete_hooks(old, hooks)
        for failure in failures:
            log.warning(
                "removing a webhook from the previous CIN7 account failed",
                extra={"connection_id": existing.id, **failure},
            )


async def remove(services: Services, tenant_id: str) -> dict[str, Any]:
    """Delete our webhooks at CIN7 (a failure is reported, not fatal), then the credentials."""
    connection, registrations = await _current(services, tenant_id)
    if connection is None or not connection.credentials:
        raise NotFound("no CIN7 credentials are stored", field="credentials")
    sealed = connection.credentials
    hooks = {
        r.external_id: _Hook(r.event_type, r.external_id) for r in registrations if r.external_id
    }
    removed: list[str] = []
    failures: list[dict[str, Any]] = []
    try:
        client = client_for(services, connection, lane="urgent", wait=True)
    except ConfigurationError:
        failures = [
            {"type": h.event_type, "id": h.external_id, "error": UNREADABLE} for h in hooks.values()
        ]
    else:
        url = webhook_url(services, connection.id)
        try:  # hooks CIN7 holds for our URL that we lost track of go too
            for hook in await client.list_webhooks():
                if hook.get("ExternalURL") == url and hook.get("ID"):
                    hooks.setdefault(str(hook["ID"]), _Hook(hook.get("Type"), str(hook["ID"])))
        except (ProviderError, BudgetExhausted) as exc:
            log.warning("listing CIN7 webhooks failed", extra={"error": _reason(exc)})
        removed, failures = await _delete_hooks(client, list(hooks.values()))
    failed = {failure["id"]: failure for failure in failures}
    async with services.uows.begin() as uow:
        cleared = await uow.session.execute(
            update(Connection)
            .where(Connection.id == connection.id, Connection.credentials == sealed)
            .values(credentials="", status=DISCONNECTED, updated_at=uow.now)
            .execution_options(synchronize_session=False)
        )
        if cleared.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict(
                "the CIN7 credentials were replaced meanwhile; nothing was removed",
                field="credentials",
            )
        for registration in await uow.session.scalars(
            select(WebhookRegistration).where(WebhookRegistration.connection_id == connection.id)
        ):
            failure = failed.get(registration.external_id)
            if failure is not None:
                registration.status, registration.last_error = "orphaned", failure["error"]
            else:
                registration.status, registration.last_error = "removed", None
                registration.external_id = None
            registration.updated_at = uow.now
        await uow.commit()
    return {
        "success": True,
        "connected": False,
        "message": "CIN7 credentials removed; history is kept"
        + (f"; {len(failures)} webhook(s) could not be removed at CIN7" if failures else ""),
        "webhooksRemoved": len(removed),
        "webhookFailures": failures,
    }


def _readable(services: Services, connection: Connection | None) -> Credentials | None:
    if connection is None or not connection.credentials:
        return None
    try:
        return credentials(services, connection)
    except ConfigurationError:
        return None


def _client_of(services: Services, connection: Connection, stored: Credentials) -> Cin7Client:
    """A client for credentials that are no longer the connection's (an old account's)."""
    budget, spec = budget_of(stored.account_id, stored.application_key, connection.settings)
    return Cin7Client(
        services.http,
        base_url=connection.base_url,
        account_id=stored.account_id,
        application_key=stored.application_key,
        gate=services.budgets.gate(budget, spec, lane="urgent", wait=True),
    )


async def _delete_hooks(
    client: Cin7Client, hooks: list[_Hook]
) -> tuple[list[str], list[dict[str, Any]]]:
    """DELETE each hook; one CIN7 no longer has counts as removed."""
    removed: list[str] = []
    failures: list[dict[str, Any]] = []
    for hook in hooks:
        try:
            await client.delete_webhook(hook.external_id)
        except Permanent as exc:
            if "not found" not in exc.message.lower():
                failures.append(_failure(hook, exc))
                continue
        except (ProviderError, BudgetExhausted) as exc:
            failures.append(_failure(hook, exc))
            continue
        removed.append(hook.external_id)
    return removed, failures


def _failure(hook: _Hook, exc: ProviderError | BudgetExhausted) -> dict[str, Any]:
    return {"type": hook.event_type, "id": hook.external_id, "error": _reason(exc)}


def _reason(exc: ProviderError | BudgetExhausted) -> str:
    return exc.message if isinstance(exc, ProviderError) else str(exc)
