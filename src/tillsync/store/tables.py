"""The tables of the hub. Every business row carries its tenant."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from tillsync.store.types import Scaled, UTCDateTime

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
ZERO = Decimal(0)


def new_id() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {
        dt.datetime: UTCDateTime(),
        Decimal: Scaled(),
        dict[str, Any]: JSON(),
    }


def _id() -> Mapped[str]:
    return mapped_column(String(36), primary_key=True, default=new_id)


def _tenant() -> Mapped[str]:
    return mapped_column(String(36), ForeignKey("tenants.id", ondelete="CASCADE"), index=True)


class Tenant(Base):
    __tablename__ = "tenants"
    id: Mapped[str] = _id()
    name: Mapped[str] = mapped_column(String(200))
    notify_email: Mapped[str | None] = mapped_column(String(320))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    default_location: Mapped[str] = mapped_column(String(200), default="Main Warehouse")
    created_at: Mapped[dt.datetime]


class ApiKey(Base):
    __tablename__ = "api_keys"
    id: Mapped[str] = _id()
    tenant_id: Mapped[str] = _tenant()
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]


class Connection(Base):
    """A tenant's link to one provider account, in one role."""

    __tablename__ = "connections"
    __table_args__ = (UniqueConstraint("tenant_id", "provider"),)
    id: Mapped[str] = _id()
    tenant_id: Mapped[str] = _tenant()
    provider: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="active")
    base_url: Mapped[str] = mapped_column(String(500))
    account_name: Mapped[str | None] = mapped_column(String(200))
    credentials: Mapped[str] = mapped_column(Text, doc="vault-encrypted JSON")
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    failing_since: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    last_sync_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]


class WebhookRegistration(Base):
    __tablename__ = "webhook_registrations"
    __table_args__ = (UniqueConstraint("connection_id", "event_type"),)
    id: Mapped[str] = _id()
    tenant_id: Mapped[str] = _tenant()
    connection_id: Mapped[str] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    event_type: Mapped[str] = mapped_column(String(100))
    external_id: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16))
    last_error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[dt.datetime]


class Product(Base):
    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("tenant_id", "sku"),)
    id: Mapped[str] = _id()
    tenant_id: Mapped[str] = _tenant()
    sku: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(300))
    barcode: Mapped[str | None] = mapped_column(String(64))
    price: Mapped[Decimal | None]
    reorder_level: Mapped[Decimal] = mapped_column(default=ZERO)
    whole_units: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    external_ids: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[dt.datetime]


class StockLevel(Base):
    """One SKU at one location: the warehouse's word and what the hub holds against it.

    Migration 0005 adds what the database checks beyond these columns: holds never
    negative, a new hold within what the row has available, a movement released once.
    """

    __tablename__ = "stock_levels"
    __table_args__ = (
        UniqueConstraint("tenant_id", "sku", "location"),
        CheckConstraint("pending >= 0", name="pending_not_negative"),
        CheckConstraint("reserved >= 0", name="reserved_not_negative"),
    )
    id: Mapped[str] = _id()
    tenant_id: Mapped[str] = _tenant()
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    sku: Mapped[str] = mapped_column(String(100))
    location: Mapped[str] = mapped_column(String(200))
    warehouse_available: Mapped[Decimal] = mapped_column(default=ZERO)
    warehouse_on_hand: Mapped[Decimal] = mapped_column(default=ZERO)
    as_of: Mapped[dt.datetime | None]
    pending: Mapped[Decimal] = mapped_column(default=ZERO)
    reserved: Mapped[Decimal] = mapped_column(default=ZERO)
    updated_at: Mapped[dt.datetime]


class PendingMovement(Base):
    """A local sale's quantity not yet seen in a warehouse report."""

    __tablename__ = "pending_movements"
    __table_args__ = (
        Index(None, "stock_level_id", "released_at"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )
    id: Mapped[str] = _id()
    tenant_id: Mapped[str] = _tenant()
    stock_level_id: Mapped[str] = mapped_column(ForeignKey("stock_levels.id", ondelete="CASCADE"))
    sale_id: Mapped[str] = mapped_column(ForeignKey("sales.id", ondelete="CASCADE"), index=True)
    quantity: Mapped[Decimal]
    created_at: Mapped[dt.datetime]
    confirmed_at: Mapped[dt.datetime | None]
    released_at: Mapped[dt.datetime | None]


class Reservation(Base):
    __tablename__ = "reservations"
    __table_args__ = (
        Index(None, "stock_level_id", "status", "expires_at"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )
    id: Mapped[str] = _id()
    tenant_id: Mapped[str] = _tenant()
    stock_level_id: Mapped[str] = mapped_column(ForeignKey("stock_levels.id", ondelete="CASCADE"))
    sku: Mapped[str] = mapped_column(String(100))
    location: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[Decimal]
    status: Mapped[str] = mapped_column(String(16), default="active")
    expires_at: Mapped[dt.datetime]
    created_at: Mapped[dt.datetime]
    ended_at: Mapped[dt.datetime | None]
    sale_id: Mapped[str | None] = mapped_column(String(36))


class Sale(Base):
    """A sale: from the tenant's POS (source "pos") or seen at a provider (source "external")."""

    __tablename__ = "sales"
    __table_args__ = (UniqueConstraint("tenant_id", "source", "reference"),)
    id: Mapped[str] = _id()
    tenant_id: Mapped[str] = _tenant()
    source: Mapped[str] = mapped_column(String(16))
    reference: Mapped[str] = mapped_column(String(200), doc="the POS saleId, or the provider's id")
    connection_id: Mapped[str | None] = mapped_column(String(36))
    provider_reference: Mapped[str | None] = mapped_column(
        String(200), index=True, doc="the warehouse's id of this sale once pushed"
    )
    invoice_number: Mapped[str | None] = mapped_column(String(200))
    customer_name: Mapped[str | None] = mapped_column(String(300))
    customer_id: Mapped[str | None] = mapped_column(String(200), doc="the CRM's customer")
    currency: Mapped[str | None] = mapped_column(String(3))
    payment_method: Mapped[str | None] = mapped_column(String(100))
    location: Mapped[str] = mapped_column(String(200))
    total: Mapped[Decimal]
    request_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]


class SaleLine(Base):
    __tablename__ = "sale_lines"
    id: Mapped[str] = _id()
    tenant_id: Mapped[str] = _tenant()
    sale_id: Mapped[str] = mapped_column(ForeignKey("sales.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    sku: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[Decimal]
    price: Mapped[Decimal]
    tax: Mapped[Decimal] = mapped_column(default=ZERO)
    provider_product_id: Mapped[str | None] = mapped_column(String(100))


class InventoryCheck(Base):
    __tablename__ = "inventory_checks"
    id: Mapped[str] = _id()
    tenant_id: Mapped[str] = _tenant()
    sku: Mapped[str] = mapped_column(String(100))
    location: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[Decimal]
    available: Mapped[bool] = mapped_column(Boolean)
    current_stock: Mapped[Decimal]
    checked_at: Mapped[dt.datetime] = mapped_column(index=True)


class Alert(Base):
    __tablename__ = "inventory_alerts"
    __table_args__ = (
        Index(
            "uq_inventory_alerts_open",
            "tenant_id",
            "sku",
            "location",
            "alert_type",
            unique=True,
            sqlite_where=text("resolved = 0"),
            postgresql_where=text("resolved = false"),
        ),
    )
    id: Mapped[str] = _id()
    tenant_id: Mapped[str] = _tenant()
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    sku: Mapped[str] = mapped_column(String(100))
    product_name: Mapped[str] = mapped_column(String(300))
    location: Mapped[str] = mapped_column(String(200))
    alert_type: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text)
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime]
    resolved_at: Mapped[dt.datetime | None]


class AuditEntry(Base):
    """One stock movement and its cause."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index(None, "tenant_id", "sku", "created_at"),)
    id: Mapped[str] = _id()
    tenant_id: Mapped[str] = _tenant()
    sku: Mapped[str] = mapped_column(String(100))
    location: Mapped[str] = mapped_column(String(200))
    figure: Mapped[str] = mapped_column(String(32))
    delta: Mapped[Decimal]
    value_after: Mapped[Decimal]
    cause: Mapped[str] = mapped_column(String(32))
    reference: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime]


class Job(Base):
    """The outbox: one durable effect, claimed by a worker under a lease."""

    __tablename__ = "jobs"
    __table_args__ = (
        UniqueConstraint("kind", "idempotency_key"),
        Index(None, "state", "next_attempt_at", "priority"),
    )
    id: Mapped[str] = _id()
    tenant_id: Mapped[str | None] = mapped_column(String(36), index=True)
    connection_id: Mapped[str | None] = mapped_column(String(36), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str | None] = mapped_column(String(100), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]]
    priority: Mapped[int] = mapped_column(Integer, default=100)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime]
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[dt.datetime | None]
    checkpoint: Mapped[dict[str, Any]] = mapped_column(default=dict)
    last_error: Mapped[str | None] = mapped_column(Text)
    error_class: Mapped[str | None] = mapped_column(String(32))
    provider_reference: Mapped[str | None] = mapped_column(
        String(200),
        doc="what the provider calls the result (a warehouse's sale id, an invoice number)",
    )
    created_at: Mapped[dt.datetime]
    started_at: Mapped[dt.datetime | None]
    completed_at: Mapped[dt.datetime | None]
    duration_ms: Mapped[int | None] = mapped_column(Integer)


class JobAttempt(Base):
    """One run of a job by one worker: the history behind retry counts and overlap checks."""

    __tablename__ = "job_attempts"
    __table_args__ = (Index(None, "job_id", "number"),)
    id: Mapped[str] = _id()
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    tenant_id: Mapped[str | None] = mapped_column(String(36), index=True)
    number: Mapped[int] = mapped_column(Integer)
    worker: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text)


class RateGrant(Base):
    """One provider call allowed by a shared rate budget (a sliding-window log)."""

    __tablename__ = "rate_grants"
    __table_args__ = (Index(None, "budget", "granted_at"),)
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    budget: Mapped[str] = mapped_column(String(100))
    lane: Mapped[str] = mapped_column(String(16))
    granted_at: Mapped[dt.datetime]


class RateBudget(Base):
    """The lock row of one provider account's budget, and who is waiting on it."""

    __tablename__ = "rate_budgets"
    budget: Mapped[str] = mapped_column(String(100), primary_key=True)
    waiting_lane: Mapped[str | None] = mapped_column(String(16))
    waiting_until: Mapped[dt.datetime | None]
    denied: Mapped[int] = mapped_column(Integer, default=0)


class SyncStage(Base):
    """Stock figures a resumable pull has read so far, summed per SKU × location."""

    __tablename__ = "sync_stage"
    run_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sku: Mapped[str] = mapped_column(String(100), primary_key=True)
    location: Mapped[str] = mapped_column(String(200), primary_key=True)
    available: Mapped[Decimal]
    on_hand: Mapped[Decimal]


class Run(Base):
    """One sync or reconciliation, as seed 001's sync log describes it."""

    __tablename__ = "runs"
    __table_args__ = (Index(None, "tenant_id", "started_at"),)
    id: Mapped[str] = _id()
    tenant_id: Mapped[str] = _tenant()
    connection_id: Mapped[str | None] = mapped_column(String(36), index=True)
    job_id: Mapped[str | None] = mapped_column(String(36))
    type: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str] = mapped_column(String(16))
    entity: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    items_synced: Mapped[int] = mapped_column(Integer, default=0)
    items_failed: Mapped[int] = mapped_column(Integer, default=0)
    items_deleted: Mapped[int] = mapped_column(Integer, default=0)
    drift_found: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    drift_fixed: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    pages: Mapped[int] = mapped_column(Integer, default=0)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[dt.datetime]
    completed_at: Mapped[dt.datetime | None]
    duration_ms: Mapped[int | None] = mapped_column(Integer)


class DriftItem(Base):
    """One difference a reconciliation found between the hub and the provider (its report is
    the run), and whether the hub repaired it."""

    __tablename__ = "drift_items"
    __table_args__ = (Index(None, "run_id", "position"),)
    id: Mapped[str] = _id()
    tenant_id: Mapped[str] = _tenant()
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16), doc="stock, product or webhook")
    sku: Mapped[str | None] = mapped_column(String(100))
    location: Mapped[str | None] = mapped_column(String(200))
    field: Mapped[str] = mapped_column(String(100))
    hub_value: Mapped[str | None] = mapped_column(String(300))
    provider_value: Mapped[str | None] = mapped_column(String(300))
    fixed: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime]


class SyncSeen(Base):
    """The SKUs a full pull has listed so far: what is not here afterwards has disappeared."""

    __tablename__ = "sync_seen"
    run_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sku: Mapped[str] = mapped_column(String(100), primary_key=True)


class Notification(Base):
    """Something a seller must know; raised once per event, never once per retry."""

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("tenant_id", "dedupe_key"),)
    id: Mapped[str] = _id()
    tenant_id: Mapped[str] = _tenant()
    connection_id: Mapped[str | None] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    dedupe_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(index=True)
    read_at: Mapped[dt.datetime | None]


class InboxEntry(Base):
    """A webhook delivery as received, before and after it is applied."""

    __tablename__ = "inbox"
    __table_args__ = (UniqueConstraint("connection_id", "dedupe_key"),)
    id: Mapped[str] = _id()
    tenant_id: Mapped[str] = _tenant()
    connection_id: Mapped[str] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(String(32))
    event_type: Mapped[str] = mapped_column(String(100))
    dedupe_key: Mapped[str | None] = mapped_column(String(200))
    payload: Mapped[Any] = mapped_column(JSON)
    verdict: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="received")
    error: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[dt.datetime] = mapped_column(index=True)
    processed_at: Mapped[dt.datetime | None]


class Event(Base):
    """The live stream's durable feed: stock and alert changes, in commit order per process."""

    __tablename__ = "events"
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    tenant_id: Mapped[str] = _tenant()
    type: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime] = mapped_column(index=True)
