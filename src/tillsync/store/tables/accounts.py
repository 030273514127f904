"""Tenants, their API keys, and their connections to providers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from tillsync.store.tables.base import Base, id_column, tenant_column


class Tenant(Base):
    __tablename__ = "tenants"
    id: Mapped[str] = id_column()
    name: Mapped[str] = mapped_column(String(200))
    notify_email: Mapped[str | None] = mapped_column(String(320))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    default_location: Mapped[str] = mapped_column(String(200), default="Main Warehouse")
    created_at: Mapped[dt.datetime]


class ApiKey(Base):
    __tablename__ = "api_keys"
    id: Mapped[str] = id_column()
    tenant_id: Mapped[str] = tenant_column()
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]


class Connection(Base):
    """A tenant's link to one provider account, in the roles chosen for it."""

    __tablename__ = "connections"
    __table_args__ = (UniqueConstraint("tenant_id", "provider"),)
    id: Mapped[str] = id_column()
    tenant_id: Mapped[str] = tenant_column()
    provider: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(16))
    """The principal role, named in labels (the first the connection plays)."""
    roles: Mapped[list[str]] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    """Every role the connection plays, chosen at connect among its provider's."""
    status: Mapped[str] = mapped_column(String(16), default="active")
    base_url: Mapped[str] = mapped_column(String(500))
    account_name: Mapped[str | None] = mapped_column(String(200))
    credentials: Mapped[str] = mapped_column(Text, doc="vault-encrypted JSON")
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    failing_since: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    last_sync_at: Mapped[dt.datetime | None]
    token_expires_at: Mapped[dt.datetime | None]
    """When the sealed OAuth access token expires: the refresh duty reads this, not the vault."""
    refresh_lease_until: Mapped[dt.datetime | None]
    """Held by the one process refreshing the token; the others wait for it."""
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]


class WebhookRegistration(Base):
    __tablename__ = "webhook_registrations"
    __table_args__ = (UniqueConstraint("connection_id", "event_type"),)
    id: Mapped[str] = id_column()
    tenant_id: Mapped[str] = tenant_column()
    connection_id: Mapped[str] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    event_type: Mapped[str] = mapped_column(String(100))
    external_id: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16))
    last_error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[dt.datetime]


class OAuthState(Base):
    """A `state` the hub sent a tenant to a provider's consent screen with; used once.

    A consent that came back needing a choice (which organization) parks its grant here,
    sealed, until the merchant chooses or `expires_at` passes; choosing clears it.
    """

    __tablename__ = "oauth_states"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    tenant_id: Mapped[str] = tenant_column()
    provider: Mapped[str] = mapped_column(String(32))
    issued_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]
    parked_grant: Mapped[str | None] = mapped_column(Text, doc="vault-encrypted JSON")
    choice: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """What must be chosen: the setting, what one is called, the values offered."""
