"""reserved sales: a sale's pending hold covered by the reservations it used up

`pending_movements.covered` is the part of a sale's pending hold that moved from
reservations the sale named. Moving held stock from reserved to pending changes nothing of
what the row has free, so the database no longer refuses it when the row's free figure is
below zero (a warehouse report that counts a not-yet-confirmed sale twice, until the next
report): only the part a reservation did not cover must fit in what is free.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 05:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tillsync.store.types

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HOLD_MESSAGE = "a hold exceeds what its stock row has available"
FREE = "warehouse_available - pending - reserved"
TRIGGER = "pending_movements_hold_within_available"
BEYOND = f"(SELECT {FREE} FROM stock_levels WHERE id = NEW.stock_level_id) < 0"  # noqa: S608


def _postgresql(function: str, condition: str) -> list[str]:
    return [
        f"DROP TRIGGER {TRIGGER} ON pending_movements",
        f"""
        CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
        BEGIN
            IF {condition} THEN
                RAISE EXCEPTION '{HOLD_MESSAGE}' USING ERRCODE = 'check_violation';
            END IF;
            RETURN NEW;
        END $$ LANGUAGE plpgsql
        """,
        f"""
        CREATE TRIGGER {TRIGGER} AFTER INSERT ON pending_movements FOR EACH ROW
        EXECUTE FUNCTION {function}()
        """,
    ]


def _sqlite(condition: str) -> list[str]:
    return [
        f"DROP TRIGGER {TRIGGER}",
        f"CREATE TRIGGER {TRIGGER} AFTER INSERT ON pending_movements WHEN {condition} "
        f"BEGIN SELECT RAISE(ABORT, '{HOLD_MESSAGE}'); END",
    ]


def upgrade() -> None:
    op.add_column(  # not batch: copying the table would drop its triggers
        "pending_movements",
        sa.Column("covered", tillsync.store.types.Scaled(), nullable=False, server_default="0"),
    )
    condition = f"NEW.quantity > NEW.covered AND {BEYOND}"
    statements = (
        _postgresql("tillsync_sale_within_available", condition)
        if op.get_bind().dialect.name == "postgresql"
        else _sqlite(condition)
    )
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in _postgresql("tillsync_hold_within_available", BEYOND)[:1]:
            op.execute(statement)
        op.execute(
            f"CREATE TRIGGER {TRIGGER} AFTER INSERT ON pending_movements FOR EACH ROW "
            "EXECUTE FUNCTION tillsync_hold_within_available()"
        )
        op.execute("DROP FUNCTION tillsync_sale_within_available()")
    else:
        for statement in _sqlite(BEYOND):
            op.execute(statement)
    op.drop_column("pending_movements", "covered")
