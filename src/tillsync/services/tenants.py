"""Tenants and their API keys. Keys are shown once and stored only as a SHA-256 hash."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import secrets
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select, update

from tillsync.errors import NotAuthenticated, NotFound
from tillsync.store.lookup import one_by_id_prefix
from tillsync.store.tables import ApiKey, Connection, Tenant
from tillsync.store.uow import UnitOfWork, UnitsOfWork

KEY_PREFIX = "tsk_"
log = logging.getLogger(__name__)
MAX_REMEMBERED = 10_000


@dataclass(frozen=True, slots=True)
class Caller:
    """The tenant an authenticated request acts for."""

    tenant_id: str
    default_location: str


@dataclass(frozen=True, slots=True)
class KeyHolder:
    """The tenant of an API key that is still valid, and the key's row (never the key)."""

    key_id: str
    key_prefix: str
    tenant_id: str
    tenant_name: str
    default_location: str


@dataclass(frozen=True, slots=True)
class NewTenant:
    tenant_id: str
    name: str
    api_key: str


@dataclass(frozen=True, slots=True)
class TenantSummary:
    """A tenant as an operator lists it: its keys counted, never shown."""

    id: str
    name: str
    default_location: str
    created_at: dt.datetime
    active_keys: int
    connections: tuple[str, ...]
    """`provider (status)` of each connection, by provider name."""


@dataclass(frozen=True, slots=True)
class RevokedKeys:
    tenant_id: str
    name: str
    revoked: int
    new_key: str | None
    """The key that replaces them (shown once), when rotated; None when only revoked."""


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


async def create_tenant(
    uows: UnitsOfWork, *, name: str, default_location: str = "Main Warehouse"
) -> NewTenant:
    async with uows.begin() as uow:
        tenant = Tenant(name=name, default_location=default_location, created_at=uow.now)
        uow.session.add(tenant)
        await uow.session.flush()
        key, row = new_api_key(tenant_id=tenant.id, name="default", now=uow.now)
        uow.session.add(row)
        await uow.commit()
    return NewTenant(tenant_id=tenant.id, name=name, api_key=key)


async def create_api_key(uows: UnitsOfWork, *, tenant_id: str, name: str) -> str:
    async with uows.begin() as uow:
        if await uow.session.get(Tenant, tenant_id) is None:
            raise NotFound(f"no tenant {tenant_id}", field="tenant_id")
        key, row = new_api_key(tenant_id=tenant_id, name=name, now=uow.now)
        uow.session.add(row)
        await uow.commit()
    return key


async def list_tenants(uows: UnitsOfWork) -> list[TenantSummary]:
    """Every tenant, oldest first, with how many keys work and what it is connected to."""
    keys = (
        select(ApiKey.tenant_id, func.count().label("active"))
        .where(ApiKey.revoked_at.is_(None))
        .group_by(ApiKey.tenant_id)
        .subquery()
    )
    async with uows.read() as session:
        rows = await session.execute(
            select(Tenant, func.coalesce(keys.c.active, 0))
            .outerjoin(keys, keys.c.tenant_id == Tenant.id)
            .order_by(Tenant.created_at, Tenant.id)
        )
        links = await session.execute(
            select(Connection.tenant_id, Connection.provider, Connection.status).order_by(
                Connection.provider
            )
        )
        connections: dict[str, list[str]] = {}
        for tenant_id, provider, status in links:
            connections.setdefault(tenant_id, []).append(f"{provider} ({status})")
        return [
            TenantSummary(
                id=tenant.id,
                name=tenant.name,
                default_location=tenant.default_location,
                created_at=tenant.created_at,
                active_keys=int(active),
                connections=tuple(connections.get(tenant.id, ())),
            )
            for tenant, active in rows
        ]


async def rotate_key(uows: UnitsOfWork, tenant: str) -> RevokedKeys:
    """A new key for the tenant (`tenant`: its id or the start of it); every other key is
    revoked in the same transaction."""
    return await _revoke(uows, tenant, replace=True)


async def revoke_keys(uows: UnitsOfWork, tenant: str) -> RevokedKeys:
    """Revoke every key of the tenant: its apps are refused until a key is rotated in."""
    return await _revoke(uows, tenant, replace=False)


async def _revoke(uows: UnitsOfWork, tenant: str, *, replace: bool) -> RevokedKeys:
    async with uows.begin() as uow:
        row = await one_by_id_prefix(
            uow.session, Tenant, Tenant.id, tenant, noun="tenant", field="tenant"
        )
        revoked = await _revoke_all(uow, row.id)
        key = None
        if replace:
            key, new = new_api_key(tenant_id=row.id, name="rotated", now=uow.now)
            uow.session.add(new)
        await uow.commit()
    return RevokedKeys(tenant_id=row.id, name=row.name, revoked=revoked, new_key=key)


async def _revoke_all(uow: UnitOfWork, tenant_id: str) -> int:
    revoked = await uow.session.scalars(
        update(ApiKey)
        .where(ApiKey.tenant_id == tenant_id, ApiKey.revoked_at.is_(None))
        .values(revoked_at=uow.now)
        .returning(ApiKey.id)
    )
    return len(revoked.all())


def new_api_key(*, tenant_id: str, name: str, now: dt.datetime) -> tuple[str, ApiKey]:
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(
        tenant_id=tenant_id, name=name, prefix=key[:12], key_hash=hash_key(key), created_at=now
    )
    return key, row


async def find_key(
    uows: UnitsOfWork, *, key: str | None = None, key_id: str | None = None
) -> KeyHolder | None:
    """A key that is not revoked, found by its value (hashed) or by its row's id."""
    where: list[ColumnElement[bool]] = [ApiKey.revoked_at.is_(None)]
    if key is not None:
        where.append(ApiKey.key_hash == hash_key(key.strip()))
    if key_id is not None:
        where.append(ApiKey.id == key_id)
    if len(where) == 1:
        raise ValueError("find_key needs a key or a key_id")
    async with uows.read() as session:
        row = (
            await session.execute(
                select(ApiKey.id, ApiKey.prefix, Tenant.id, Tenant.name, Tenant.default_location)
                .join(Tenant, Tenant.id == ApiKey.tenant_id)
                .where(*where)
            )
        ).first()
    if row is None:
        return None
    return KeyHolder(
        key_id=row[0],
        key_prefix=row[1],
        tenant_id=row[2],
        tenant_name=row[3],
        default_location=row[4],
    )


class Authenticator:
    """Resolves `Authorization: Bearer <key>` to its tenant, or refuses with 401.

    Answers are remembered for `ttl_seconds` (the `key_trust_seconds` setting), so a busy
    POS does not pay a database round trip per request; a revoked key stops working within
    that time. At 0 every request checks. A remembered key past half its time is checked
    again in the background while requests go on, and requests meeting an expired one
    wait for a single check together: at a second's trust and thousands of requests a
    second, neither a pause nor a burst of lookups comes with each renewal.
    """

    def __init__(self, uows: UnitsOfWork, *, ttl_seconds: float) -> None:
        self.uows = uows
        self.ttl = dt.timedelta(seconds=ttl_seconds)
        self._known: dict[str, tuple[Caller, dt.datetime]] = {}
        self._checking: dict[str, asyncio.Future[Caller | None]] = {}

    async def __call__(self, authorization: str | None) -> Caller:
        scheme, _, key = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise NotAuthenticated(
                "missing API key: send 'Authorization: Bearer <key>'", field="Authorization"
            )
        key = key.strip()
        digest = hash_key(key)
        now = self.uows.clock.now()
        known = self._known.get(digest)
        if known is not None and known[1] > now:
            if known[1] - now < self.ttl / 2 and digest not in self._checking:
                self._check(digest, key).add_done_callback(_quietly)
            return known[0]
        if self.ttl:
            caller = await asyncio.shield(self._check(digest, key))
        else:  # each request its own lookup, none begun before it
            caller = await self._look_up(digest, key)
        if caller is None:
            raise NotAuthenticated("unknown API key", field="Authorization")
        return caller

    def _check(self, digest: str, key: str) -> asyncio.Future[Caller | None]:
        """The one lookup of this key under way, started if none is."""
        checking = self._checking.get(digest)
        if checking is None:
            checking = asyncio.ensure_future(self._look_up(digest, key))
            self._checking[digest] = checking
        return checking

    async def _look_up(self, digest: str, key: str) -> Caller | None:
        try:
            began = self.uows.clock.now()
            holder = await find_key(self.uows, key=key)
            if holder is None:
                self._known.pop(digest, None)
                return None
            caller = Caller(tenant_id=holder.tenant_id, default_location=holder.default_location)
            if self.ttl:
                if len(self._known) >= MAX_REMEMBERED:
                    self._known.clear()
                self._known[digest] = (caller, began + self.ttl)
            return caller
        finally:
            if self._checking.get(digest) is asyncio.current_task():
                del self._checking[digest]


def _quietly(done: asyncio.Future[Caller | None]) -> None:
    """A background check that failed: the key stays trusted until its time runs out."""
    if not done.cancelled() and done.exception() is not None:
        log.warning("checking an API key again failed", exc_info=done.exception())
