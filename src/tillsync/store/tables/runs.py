"""Sync and reconciliation runs, what a pull has staged, and the drift they found."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from tillsync.store.tables.base import Base, id_column, tenant_column


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
    id: Mapped[str] = id_column()
    tenant_id: Mapped[str] = tenant_column()
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
    id: Mapped[str] = id_column()
    tenant_id: Mapped[str] = tenant_column()
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
