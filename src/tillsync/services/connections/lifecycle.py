"""A connection's life, the same for every provider: connect (or replace the keys), disconnect.

Connecting checks the keys with the provider (through the rate budget), seals them, and for
a warehouse registers our webhooks and queues the first sync. Connecting again replaces the
keys on the same row, so jobs, runs and sales stay attached to it; when the account
changed, our webhooks at the old one are deleted. Disconnecting deletes our webhooks (a
failure is reported, not fatal) and the keys, and keeps the row, as "disconnected", for
history. Nothing here returns or logs a secret: only `masked` values leave.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select, update

from tillsync.clock import moment_of
from tillsync.connectors.contract import Account, Connector, Provider, WebhookAuth
from tillsync.connectors.oauth import tokens_of
from tillsync.errors import ConfigurationError, Conflict, NotFound
from tillsync.jobs.store import NewJob, enqueue
from tillsync.services.connections import checks, registrations, tokens
from tillsync.services.connections.descriptions import UNREADABLE, connected, current, readable
from tillsync.services.connections.links import (
    DISCONNECTED,
    connector_for,
    find_connection,
    open_connector,
    settings_of,
)
from tillsync.services.connections.registrations import Hook, HookFailure
from tillsync.services.connections.roles import (
    WAREHOUSE,
    check_roles,
    chosen,
    plays,
    principal,
)
from tillsync.services.context import Services
from tillsync.store.tables import Connection, Tenant, WebhookRegistration
from tillsync.store.uow import UnitOfWork

log = logging.getLogger(__name__)
ACTIVE = "active"


@dataclass(frozen=True, slots=True)
class Disconnected:
    removed: list[str]
    failures: list[HookFailure]
    revoked: bool | None = None
    """The OAuth grant revoked at the provider; None when there was none to revoke."""


async def connect(
    services: Services,
    *,
    provider: str,
    tenant_id: str,
    credentials: Mapping[str, str],
    base_url: str | None = None,
    settings: Mapping[str, object] | None = None,
    address_field: str | None = None,
    roles: Sequence[str] | None = None,
) -> Connection:
    """Check the keys, store them sealed, register webhooks, queue the first sync.

    `address_field` names where the caller gave `base_url` (it is then the tenant's and
    must pass the outbound policy); without it the address is the hub's to choose.
    `roles` are those the connection plays (the provider's usual ones, or what the
    connection already plays, when not given).
    """
    declared = services.providers.get(provider)
    existing, hooks = await current(services, tenant_id, declared.name)
    playing = chosen(declared, roles, existing)
    before = readable(services, existing)
    keys = checks.credentials(declared, credentials, kept=before)
    async with services.uows.read() as session:  # refused before the provider is asked
        await check_roles(
            session, services.providers, tenant_id=tenant_id, provider=declared, roles=playing
        )
    address = checks.address(
        base_url or (existing.base_url if existing else declared.default_base_url),
        field=address_field,
    )
    merged = checks.settings(declared, existing.settings if existing else None, settings)
    account = await checks.account(
        services,
        declared,
        probe=open_connector(
            services,
            declared,
            owner=f"{tenant_id}:{declared.name}",
            base_url=address,
            credentials=keys,
            settings=settings_of(declared, merged),
            lane="urgent",
            wait=True,
        ),
        address=address if address_field else None,
        address_field=address_field,
    )
    if account.settings:  # what the provider filled in, checked by its model as given ones
        merged = checks.settings(declared, merged, account.settings)
    connection = await _store(
        services,
        declared,
        tenant_id=tenant_id,
        address=address,
        keys=keys,
        settings=merged,
        account=account,
        roles=playing,
    )
    if declared.webhook_types and plays(connection, WAREHOUSE):
        await registrations.register_webhooks(services, connection)
    if plays(connection, WAREHOUSE):
        async with services.uows.begin() as uow:
            await enqueue_first_sync(uow, connection)
            await uow.commit()
    if (
        existing is not None
        and before is not None
        and _account(declared, before) != _account(declared, keys)
    ):
        await _forget_old_account(services, declared, existing, before, hooks)
    return connection


async def _store(
    services: Services,
    provider: Provider,
    *,
    tenant_id: str,
    address: str,
    keys: Mapping[str, str],
    settings: dict[str, object],
    account: Account,
    roles: list[str],
) -> Connection:
    sealed = dict(keys)
    if provider.webhook_auth is WebhookAuth.BEARER:
        sealed[registrations.SECRET] = secrets.token_urlsafe(32)
    async with services.uows.begin() as uow:
        tenant = await uow.session.scalar(  # connects of one tenant take turns from here
            select(Tenant).where(Tenant.id == tenant_id).with_for_update()
        )
        if tenant is None:
            raise NotFound(f"no tenant {tenant_id}", field="tenant_id")
        await check_roles(
            uow.session, services.providers, tenant_id=tenant_id, provider=provider, roles=roles
        )
        connection = await find_connection(uow.session, tenant_id, provider.name)
        if connection is None:
            connection = Connection(tenant_id=tenant_id, provider=provider.name, created_at=uow.now)
            uow.session.add(connection)
        connection.role, connection.roles = principal(provider, roles), roles
        connection.base_url = address
        connection.credentials = services.vault.seal_json(sealed)
        connection.account_name = account.name
        connection.settings = settings
        connection.status = ACTIVE
        connection.error_count = 0
        connection.failing_since = None
        connection.last_error = None
        connection.updated_at = uow.now
        if provider.oauth is not None:
            # A token that says no expiry may have one the provider filled into the settings
            # (a personal token's known life): the refresh duty and the dashboard see it.
            connection.token_expires_at = tokens_of(keys, provider.oauth).expires_at or (
                moment_of(str(settings.get("token_expires_at") or ""))
            )
            connection.refresh_lease_until = None
        location = settings_of(provider, settings).model_dump().get("location")
        if WAREHOUSE in roles and isinstance(location, str):
            tenant.default_location = location
        await uow.session.flush()
        await uow.commit()
    return connection


async def enqueue_first_sync(uow: UnitOfWork, connection: Connection) -> None:
    await enqueue(
        uow.session,
        NewJob(
            kind=f"{connection.provider}.sync_catalog",
            payload={},
            idempotency_key=f"{connection.id}:catalog:{uow.now.isoformat()}",
            tenant_id=connection.tenant_id,
            connection_id=connection.id,
            priority=200,
        ),
        now=uow.now,
    )


def _account(provider: Provider, keys: Mapping[str, str]) -> tuple[str, ...]:
    """Which account the keys open: their identifiers (a key alone names no account)."""
    return tuple(keys.get(c.name, "") for c in provider.credentials if not c.secret)


async def _forget_old_account(
    services: Services,
    provider: Provider,
    existing: Connection,
    before: Mapping[str, str],
    hooks: list[WebhookRegistration],
) -> None:
    old = _connector(services, provider, existing, before).warehouse
    if old is None:
        return
    known = [Hook(r.event_type, r.external_id) for r in hooks if r.external_id]
    _, failures = await registrations.delete_hooks(old, known)
    for failure in failures:
        log.warning(
            "removing a webhook from the previous %s account failed",
            provider.title,
            extra={
                "connection_id": existing.id,
                "type": failure.event_type,
                "id": failure.external_id,
                "error": failure.error,
            },
        )


def _connector(
    services: Services, provider: Provider, connection: Connection, keys: Mapping[str, str]
) -> Connector:
    """The provider's capabilities for keys that are no longer the connection's."""
    return open_connector(
        services,
        provider,
        owner=connection.id,
        base_url=connection.base_url,
        credentials=keys,
        settings=settings_of(provider, connection.settings),
        lane="urgent",
        wait=True,
    )


async def disconnect(services: Services, *, tenant_id: str, provider: str) -> Disconnected:
    """Delete our webhooks at the provider, then the keys; the row and its history stay."""
    declared = services.providers.get(provider)
    connection = await connected(services, tenant_id, declared)
    _, hooks = await current(services, tenant_id, declared.name)
    sealed = connection.credentials
    known = [Hook(r.event_type, r.external_id) for r in hooks if r.external_id]
    removed: list[str] = []
    failures: list[HookFailure] = []
    if declared.webhook_types:
        try:
            warehouse = connector_for(services, connection, lane="urgent", wait=True).warehouse
        except ConfigurationError:
            failures = [HookFailure(h.event_type, h.external_id, UNREADABLE) for h in known]
        else:
            if warehouse is not None:
                url = registrations.webhook_url(services, connection)
                ours = await registrations.ours_at_provider(declared, warehouse, url, known)
                removed, failures = await registrations.delete_hooks(warehouse, ours)
    revoked = await tokens.revoke_grant(services, connection)
    await _clear(services, declared, connection, sealed, failures)
    return Disconnected(removed=removed, failures=failures, revoked=revoked)


async def _clear(
    services: Services,
    provider: Provider,
    connection: Connection,
    sealed: str,
    failures: list[HookFailure],
) -> None:
    failed = {failure.external_id: failure for failure in failures}
    async with services.uows.begin() as uow:
        cleared = await uow.session.execute(
            update(Connection)
            .where(Connection.id == connection.id, Connection.credentials == sealed)
            .values(credentials="", status=DISCONNECTED, updated_at=uow.now)
            .execution_options(synchronize_session=False)
        )
        if cleared.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict(
                f"the {provider.title} credentials were replaced meanwhile; nothing was removed",
                field="credentials",
            )
        for registration in await uow.session.scalars(
            select(WebhookRegistration).where(WebhookRegistration.connection_id == connection.id)
        ):
            failure = failed.get(registration.external_id or "")
            if failure is not None:
                registration.status, registration.last_error = "orphaned", failure.error
            else:
                registration.status, registration.last_error = "removed", None
                registration.external_id = None
            registration.updated_at = uow.now
        await uow.commit()
