"""OAuth tokens kept fresh: ahead of expiry by a scheduled duty, and once after a 401.

Two workers must never refresh one connection's token at once: a provider that hands out
a new refresh token with each refresh invalidates the old one, so the slower of two
refreshes would fail and lose the grant. Whoever refreshes first takes a lease on the
connection row (`refresh_lease_until`, one conditional UPDATE, so one process wins
across every host), then reads the row again and decides on what it read under the
lease: a token another process already replaced is not refreshed again. The others poll
the row until the lease is released and use what it stored.

A refresh the provider refuses (a revoked grant) marks the connection `reauth_required`
and raises `AuthFailed`: the job that asked ends failed, and the worker's connection
hooks tell the seller once (their reauth notification is keyed by the failure streak).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Callable, Sequence
from functools import partial

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.connectors.contract import Provider
from tillsync.connectors.grants import ACCESS_TOKEN, ClientApp, OAuth
from tillsync.connectors.oauth import credentials_of, refresh, revoke, server_of
from tillsync.errors import (
    AuthFailed,
    ConfigurationError,
    NotFound,
    Permanent,
    ProviderError,
    Retryable,
)
from tillsync.jobs.scheduler import Duty
from tillsync.jobs.store import NewJob
from tillsync.jobs.worker import Handler, InvalidPayload, JobContext
from tillsync.providers import Providers
from tillsync.services.context import Services
from tillsync.services.health import REAUTH
from tillsync.store.tables import Connection

log = logging.getLogger(__name__)
VERB = "refresh_token"
PRIORITY = 50
POLL_SECONDS = 0.05
LEASE_MARGIN_SECONDS = 10.0
Needed = Callable[[Connection, dt.datetime], bool]


def refresh_kind(provider: str) -> str:
    return f"{provider}.{VERB}"


def client_app(services: Services, provider: Provider) -> tuple[OAuth, ClientApp]:
    """The provider's OAuth and the hub's app there; refused when either is missing."""
    if provider.oauth is None:
        raise NotFound(f"{provider.title} has no OAuth", field="provider")
    app = services.settings.oauth_apps.get(provider.name)
    if app is None:
        raise NotFound(
            f"this hub has no OAuth app for {provider.title} (TILLSYNC_OAUTH_APPS)",
            field="provider",
        )
    return provider.oauth, ClientApp(app.client_id, app.client_secret)


async def renew(services: Services, connection_id: str, refused: str) -> dict[str, str]:
    """The credentials after a refresh, unless another process already replaced `refused`."""

    def needed(connection: Connection, _: dt.datetime) -> bool:
        return _opened(services, connection).get(ACCESS_TOKEN) == refused

    return await _refreshed(services, connection_id, needed=needed)


async def refresh_if_due(services: Services, connection_id: str) -> None:
    def needed(connection: Connection, now: dt.datetime) -> bool:
        return _due(services.providers.get(connection.provider), connection, now)

    await _refreshed(services, connection_id, needed=needed)


def _due(provider: Provider, connection: Connection, now: dt.datetime) -> bool:
    expires = connection.token_expires_at
    oauth = provider.oauth
    return oauth is not None and expires is not None and expires - oauth.refresh_ahead <= now


async def _refreshed(services: Services, connection_id: str, *, needed: Needed) -> dict[str, str]:
    lease = services.settings.provider_timeout_seconds + LEASE_MARGIN_SECONDS
    deadline = time.monotonic() + 2 * lease
    while not await _take_lease(services, connection_id, seconds=lease):
        connection = await _load(services, connection_id)
        if not needed(connection, services.uows.clock.now()):
            return _opened(services, connection)
        if time.monotonic() > deadline:
            raise Retryable("another process has been refreshing the token for too long")
        await asyncio.sleep(POLL_SECONDS)
    refused = False
    try:
        connection = await _load(services, connection_id)
        if not needed(connection, services.uows.clock.now()):
            return _opened(services, connection)
        return await _refresh(services, connection)
    except AuthFailed:
        refused = True
        raise
    finally:
        await _release(services, connection_id, refused=refused)


async def _refresh(services: Services, connection: Connection) -> dict[str, str]:
    provider = services.providers.get(connection.provider)
    oauth, app = client_app(services, provider)
    before = _opened(services, connection)
    tokens = await refresh(
        services.http.of(provider.name),
        base_url=server_of(oauth, connection.base_url, before),
        oauth=oauth,
        app=app,
        refresh_token=before.get("refresh_token", ""),
    )
    after = before | credentials_of(tokens, oauth)
    if oauth.account_field and not tokens.account_id:
        after[oauth.account_field] = before.get(oauth.account_field, "")
    async with services.uows.begin() as uow:
        stored = await uow.session.execute(
            update(Connection)
            .where(Connection.id == connection.id, Connection.credentials == connection.credentials)
            .values(
                credentials=services.vault.seal_json(after),
                token_expires_at=tokens.expires_at,
                updated_at=uow.now,
            )
            .execution_options(synchronize_session=False)
        )
        await uow.commit()
    if stored.rowcount != 1:  # type: ignore[attr-defined]
        raise Retryable(f"the {provider.title} connection changed while its token was refreshed")
    return after


async def _take_lease(services: Services, connection_id: str, *, seconds: float) -> bool:
    async with services.uows.begin() as uow:
        now = uow.now
        taken = await uow.session.execute(
            update(Connection)
            .where(
                Connection.id == connection_id,
                or_(Connection.refresh_lease_until.is_(None), Connection.refresh_lease_until < now),
            )
            .values(refresh_lease_until=now + dt.timedelta(seconds=seconds))
            .execution_options(synchronize_session=False)
        )
        await uow.commit()
    return bool(taken.rowcount == 1)  # type: ignore[attr-defined]


async def _release(services: Services, connection_id: str, *, refused: bool) -> None:
    """Release the lease; after a refusal an active connection must be authorised again."""
    async with services.uows.begin() as uow:
        await uow.session.execute(
            update(Connection)
            .where(Connection.id == connection_id)
            .values(refresh_lease_until=None)
            .execution_options(synchronize_session=False)
        )
        if refused:  # not a disconnected one: it has nothing left to authorise
            await uow.session.execute(
                update(Connection)
                .where(Connection.id == connection_id, Connection.status == "active")
                .values(status=REAUTH, updated_at=uow.now)
                .execution_options(synchronize_session=False)
            )
        await uow.commit()


async def _load(services: Services, connection_id: str) -> Connection:
    async with services.uows.read() as session:
        connection = await session.get(Connection, connection_id)
    if connection is None:
        raise InvalidPayload(f"connection {connection_id} does not exist")
    return connection


def _opened(services: Services, connection: Connection) -> dict[str, str]:
    """The stored credentials; a connection that must be authorised again has none to use."""
    title = services.providers.get(connection.provider).title
    if not connection.credentials:
        raise Permanent(f"the {title} connection is disconnected")
    if connection.status == REAUTH:
        raise AuthFailed(f"{title} refused to renew the token: authorise tillsync again")
    opened: dict[str, str] = services.vault.open_json(connection.credentials)
    return opened


async def revoke_grant(services: Services, connection: Connection) -> bool | None:
    """Revoke an OAuth connection's grant at the provider, before its keys are forgotten.

    None: nothing to revoke (no OAuth, no app, no token, or the provider cannot revoke);
    False: the provider could not be told (logged; the disconnect goes on regardless).
    """
    provider = services.providers.get(connection.provider)
    if provider.oauth is None or provider.name not in services.settings.oauth_apps:
        return None
    oauth, app = client_app(services, provider)
    try:
        held = _opened(services, connection)
    except (ProviderError, ConfigurationError):
        return None
    token = held.get(ACCESS_TOKEN, "")
    if not token:
        return None
    try:
        return (
            await revoke(
                services.http.of(provider.name),
                base_url=server_of(oauth, connection.base_url, held),
                oauth=oauth,
                app=app,
                access_token=token,
            )
            or None
        )
    except ProviderError as exc:
        log.warning(
            "revoking the grant at the provider failed",
            extra={"connection_id": connection.id, "error": exc.message},
        )
        return False


def refreshes(providers: Providers) -> Duty:
    """The duty: a refresh job for each active OAuth connection whose token is due soon."""
    declared = {provider.name: provider for provider in providers if provider.oauth}

    async def due_refreshes(session: AsyncSession, now: dt.datetime) -> Sequence[NewJob]:
        if not declared:
            return []
        connections = await session.scalars(
            select(Connection).where(
                Connection.provider.in_(declared),
                Connection.status == "active",
                Connection.credentials != "",
                Connection.token_expires_at.is_not(None),
            )
        )
        return [
            NewJob(
                kind=refresh_kind(connection.provider),
                payload={},
                idempotency_key=f"{connection.id}:refresh:{connection.token_expires_at}",
                tenant_id=connection.tenant_id,
                connection_id=connection.id,
                priority=PRIORITY,
            )
            for connection in connections
            if _due(declared[connection.provider], connection, now)
        ]

    return due_refreshes


async def refresh_job(services: Services, ctx: JobContext) -> None:
    if ctx.job.connection_id is None:
        raise InvalidPayload("a token refresh needs its connection")
    await refresh_if_due(services, ctx.job.connection_id)


def handlers(services: Services) -> dict[str, Handler]:
    return {
        refresh_kind(provider.name): partial(refresh_job, services)
        for provider in services.providers
        if provider.oauth
    }
