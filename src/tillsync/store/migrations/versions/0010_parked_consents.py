"""parked consents: a grant waiting for the merchant's choice (which organization)

`oauth_states.parked_grant` keeps a consent's grant sealed, and `oauth_states.choice` what
the provider offered to choose from, until the merchant chooses or the state expires.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 04:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("oauth_states", schema=None) as batch_op:
        batch_op.add_column(sa.Column("parked_grant", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("choice", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("oauth_states", schema=None) as batch_op:
        batch_op.drop_column("choice")
        batch_op.drop_column("parked_grant")
