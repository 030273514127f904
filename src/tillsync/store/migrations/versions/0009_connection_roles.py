"""connection roles: every role a connection plays, chosen at connect

`connections.roles` lists the roles (a JSON array); a connection made before it plays the
one role it was made in, which `connections.role` keeps naming.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 01:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Added NOT NULL with a default, never altered afterwards: on SQLite an altered column
    # means copying `connections`, and dropping the old copy would cascade-delete the jobs,
    # runs and webhooks that refer to it (foreign keys are on).
    with op.batch_alter_table("connections", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("roles", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
    connections = sa.table(
        "connections",
        sa.column("id", sa.String()),
        sa.column("role", sa.String()),
        sa.column("roles", sa.JSON()),
    )
    bind = op.get_bind()
    for row in bind.execute(sa.select(connections.c.id, connections.c.role)).all():
        bind.execute(
            connections.update().where(connections.c.id == row.id).values(roles=[row.role])
        )


def downgrade() -> None:
    with op.batch_alter_table("connections", schema=None) as batch_op:
        batch_op.drop_column("roles")
