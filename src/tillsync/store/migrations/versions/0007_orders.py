"""orders: an ordering app's orders and their items, checked by the database

`orders` holds one row per (tenant, order_id), the app's id being the idempotency key end
to end; `order_items` its items. The database refuses what the API refuses: an item with
a quantity or unit price that is not positive, a negative total, a currency that is not a
three-letter code.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 22:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tillsync.store.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _moment(name: str, *, nullable: bool) -> sa.Column[object]:
    return sa.Column(name, tillsync.store.types.UTCDateTime(timezone=True), nullable=nullable)


def _scaled(name: str) -> sa.Column[object]:
    return sa.Column(name, tillsync.store.types.Scaled(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "orders",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("tenant_id", sa.String(length=36), nullable=False),
        sa.Column("order_id", sa.String(length=200), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        _scaled("total"),
        sa.Column("special_instructions", sa.Text(), nullable=True),
        sa.Column("customer_name", sa.String(length=300), nullable=True),
        sa.Column("customer_phone", sa.String(length=50), nullable=True),
        sa.Column("sale_id", sa.String(length=36), nullable=True),
        sa.Column("pos_order_id", sa.String(length=200), nullable=True),
        sa.Column("pos_state", sa.String(length=50), nullable=True),
        _moment("pos_state_at", nullable=True),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        _moment("created_at", nullable=False),
        sa.CheckConstraint("total >= 0", name=op.f("ck_orders_total_not_negative")),
        sa.CheckConstraint("length(currency) = 3", name=op.f("ck_orders_currency_code")),
        sa.ForeignKeyConstraint(
            ["sale_id"], ["sales.id"], name=op.f("fk_orders_sale_id_sales"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_orders_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("tenant_id", "order_id", name=op.f("uq_orders_tenant_id_order_id")),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_orders_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_orders_pos_order_id"), ["pos_order_id"], unique=False)
    op.create_table(
        "order_items",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("tenant_id", sa.String(length=36), nullable=False),
        sa.Column("order_pk", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("dish_id", sa.String(length=200), nullable=False),
        sa.Column("sku", sa.String(length=100), nullable=True),
        sa.Column("name", sa.String(length=300), nullable=False),
        _scaled("quantity"),
        _scaled("unit_price"),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_order_items_quantity_positive")),
        sa.CheckConstraint("unit_price > 0", name=op.f("ck_order_items_unit_price_positive")),
        sa.ForeignKeyConstraint(
            ["order_pk"],
            ["orders.id"],
            name=op.f("fk_order_items_order_pk_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_order_items_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_items")),
        sa.UniqueConstraint("order_pk", "position", name=op.f("uq_order_items_order_pk_position")),
    )
    with op.batch_alter_table("order_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_items_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_order_items_order_pk"), ["order_pk"], unique=False)


def downgrade() -> None:
    op.drop_table("order_items")
    op.drop_table("orders")
