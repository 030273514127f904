"""Products, stock levels, the holds against them, alerts and the stock audit trail."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from tillsync.store.tables.base import ZERO, Base, id_column, tenant_column


class Product(Base):
    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("tenant_id", "sku"),)
    id: Mapped[str] = id_column()
    tenant_id: Mapped[str] = tenant_column()
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
    id: Mapped[str] = id_column()
    tenant_id: Mapped[str] = tenant_column()
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
    id: Mapped[str] = id_column()
    tenant_id: Mapped[str] = tenant_column()
    stock_level_id: Mapped[str] = mapped_column(ForeignKey("stock_levels.id", ondelete="CASCADE"))
    sale_id: Mapped[str] = mapped_column(ForeignKey("sales.id", ondelete="CASCADE"), index=True)
    quantity: Mapped[Decimal]
    covered: Mapped[Decimal] = mapped_column(default=ZERO, server_default="0")
    """The part of `quantity` moved from reservations the sale used up: it needs no free
    stock (the database checks only the rest against what the row has free)."""
    created_at: Mapped[dt.datetime]
    confirmed_at: Mapped[dt.datetime | None]
    released_at: Mapped[dt.datetime | None]


class Reservation(Base):
    __tablename__ = "reservations"
    __table_args__ = (
        Index(None, "stock_level_id", "status", "expires_at"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )
    id: Mapped[str] = id_column()
    tenant_id: Mapped[str] = tenant_column()
    stock_level_id: Mapped[str] = mapped_column(ForeignKey("stock_levels.id", ondelete="CASCADE"))
    sku: Mapped[str] = mapped_column(String(100))
    location: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[Decimal]
    status: Mapped[str] = mapped_column(String(16), default="active")
    expires_at: Mapped[dt.datetime]
    created_at: Mapped[dt.datetime]
    ended_at: Mapped[dt.datetime | None]
    sale_id: Mapped[str | None] = mapped_column(String(36))


class InventoryCheck(Base):
    __tablename__ = "inventory_checks"
    id: Mapped[str] = id_column()
    tenant_id: Mapped[str] = tenant_column()
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
    id: Mapped[str] = id_column()
    tenant_id: Mapped[str] = tenant_column()
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
    id: Mapped[str] = id_column()
    tenant_id: Mapped[str] = tenant_column()
    sku: Mapped[str] = mapped_column(String(100))
    location: Mapped[str] = mapped_column(String(200))
    figure: Mapped[str] = mapped_column(String(32))
    delta: Mapped[Decimal]
    value_after: Mapped[Decimal]
    cause: Mapped[str] = mapped_column(String(32))
    reference: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime]
