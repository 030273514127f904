"""Orders from an ordering app, their items, and what the merchant's POS made of them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tillsync.store.tables.base import Base, id_column, tenant_column


class Order(Base):
    """One order per (tenant, order_id): the app's id is the idempotency key end to end."""

    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("tenant_id", "order_id"),
        CheckConstraint("total >= 0", name="total_not_negative"),
        CheckConstraint("length(currency) = 3", name="currency_code"),
    )
    id: Mapped[str] = id_column()
    tenant_id: Mapped[str] = tenant_column()
    order_id: Mapped[str] = mapped_column(String(200), doc="the ordering app's id")
    currency: Mapped[str] = mapped_column(String(3))
    total: Mapped[Decimal]
    special_instructions: Mapped[str | None] = mapped_column(Text)
    customer_name: Mapped[str | None] = mapped_column(String(300))
    customer_phone: Mapped[str | None] = mapped_column(String(50))
    sale_id: Mapped[str | None] = mapped_column(
        ForeignKey("sales.id", ondelete="SET NULL"), doc="the ledger's sale of its SKU items"
    )
    pos_order_id: Mapped[str | None] = mapped_column(String(200), index=True)
    pos_state: Mapped[str | None] = mapped_column(String(50), doc="the POS's own state")
    pos_state_at: Mapped[dt.datetime | None]
    request_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]


class OrderItem(Base):
    __tablename__ = "order_items"
    __table_args__ = (
        UniqueConstraint("order_pk", "position"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price > 0", name="unit_price_positive"),
    )
    id: Mapped[str] = id_column()
    tenant_id: Mapped[str] = tenant_column()
    order_pk: Mapped[str] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    dish_id: Mapped[str] = mapped_column(String(200))
    sku: Mapped[str | None] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[Decimal]
    unit_price: Mapped[Decimal]
    note: Mapped[str | None] = mapped_column(Text)
