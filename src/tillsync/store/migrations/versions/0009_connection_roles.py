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
    with op.batch_alter_table("connections", schema=None) as batch_op:
        batch_op.add_column(sa.Column("roles", sa.JSON(), nullable=True))
    connections = sa.table(
        "connections", sa.column("id", sa.String), sa.column("role", sa.String), sa.column("roles")
    )
    bind = op.get_bind()
    for row in bind.execute(sa.select(connections.c.id, connections.c.role)).all():
        bind.execute(
            sa.text("UPDATE connections SET roles = :roles WHERE id = :id").bindparams(
                sa.bindparam("roles", type_=sa.JSON())
            ),
            {"roles": [row.role], "id": row.id},
        )
    with op.batch_alter_table("connections", schema=None) as batch_op:
        batch_op.alter_column("roles", existing_type=sa.JSON(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("connections", schema=None) as batch_op:
        batch_op.drop_column("roles")
