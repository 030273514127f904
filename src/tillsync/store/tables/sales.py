"""Sales and their lines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tillsync.store.tables.base import ZERO, Base, id_column, tenant_column


class Sale(Base):
    """A sale: from the tenant's POS (source "pos") or seen at a provider (source "external")."""

    __tablename__ = "sales"
    __table_args__ = (UniqueConstraint("tenant_id", "source", "reference"),)
    id: Mapped[str] = id_column()
    tenant_id: Mapped[str] = tenant_column()
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
    id: Mapped[str] = id_column()
    tenant_id: Mapped[str] = tenant_column()
    sale_id: Mapped[str] = mapped_column(ForeignKey("sales.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    sku: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[Decimal]
    price: Mapped[Decimal]
    tax: Mapped[Decimal] = mapped_column(default=ZERO)
    provider_product_id: Mapped[str | None] = mapped_column(String(100))
