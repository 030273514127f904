"""operations: workers' heartbeats, and the request id a job was queued under

`worker_heartbeats` holds one row per running worker, refreshed every few seconds, so that
any process's /readyz can tell whether some worker is alive. `jobs.request_id` carries the
X-Request-ID of the request that queued a job into the log lines of its run.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 20:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tillsync.store.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "worker_heartbeats",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("started_at", tillsync.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("seen_at", tillsync.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_worker_heartbeats")),
    )
    with op.batch_alter_table("worker_heartbeats", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_worker_heartbeats_seen_at"), ["seen_at"], unique=False)
    op.add_column("jobs", sa.Column("request_id", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_column("request_id")
    op.drop_table("worker_heartbeats")
