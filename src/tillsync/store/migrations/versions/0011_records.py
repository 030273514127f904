"""records: provider objects a connection keeps in sync, one row per object

`records` holds what a provider lists (a restaurant's suppliers, ingredients, storages),
unique per connection, entity and the provider's id, with its content hash (unchanged
objects are skipped) and its removal time (rows are never deleted).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 05:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tillsync.store.types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    moment = tillsync.store.types.UTCDateTime(timezone=True)
    op.create_table(
        "records",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("tenant_id", sa.String(length=36), nullable=False),
        sa.Column("connection_id", sa.String(length=36), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("remote_updated_at", moment, nullable=True),
        sa.Column("deleted_at", moment, nullable=True),
        sa.Column("synced_at", moment, nullable=False),
        sa.Column("created_at", moment, nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connections.id"],
            name=op.f("fk_records_connection_id_connections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_records_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_records")),
        sa.UniqueConstraint(
            "connection_id",
            "entity",
            "external_id",
            name=op.f("uq_records_connection_id_entity_external_id"),
        ),
    )
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_records_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_records_tenant_id_entity_name"),
            ["tenant_id", "entity", "name"],
            unique=False,
        )


def downgrade() -> None:
    op.drop_table("records")
