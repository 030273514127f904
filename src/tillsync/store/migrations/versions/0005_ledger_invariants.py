"""ledger invariants: holds never negative, a movement released once, a hold within stock

The database checks what the ledger's code already does, so that no writer - another
process, a bug, a hand edit - can break it:
- `stock_levels.pending` and `reserved` are never negative;
- a pending movement and a reservation hold a positive quantity;
- a new hold (a pending movement or an active reservation inserted) leaves its stock row
  with warehouse_available - pending - reserved >= 0, as the row stood in the holding
  transaction, which holds the row's lock;
- a pending movement's `released_at` is set once and never changed again.

PostgreSQL gets CHECK constraints and trigger functions. SQLite cannot add a CHECK to an
existing table without copying it (and copying `stock_levels` would cascade-delete the
rows that refer to it), so it gets triggers that refuse the same writes. Rows already
holding a negative figure are first set to what their records add up to.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 13:20:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FREE = "warehouse_available - pending - reserved"
REPAIR = (
    "UPDATE stock_levels SET pending = COALESCE((SELECT SUM(m.quantity) FROM pending_movements m"
    " WHERE m.stock_level_id = stock_levels.id AND m.released_at IS NULL), 0) WHERE pending < 0",
    "UPDATE stock_levels SET reserved = COALESCE((SELECT SUM(r.quantity) FROM reservations r"
    " WHERE r.stock_level_id = stock_levels.id AND r.status = 'active'), 0) WHERE reserved < 0",
)
CHECKS = (
    ("stock_levels", "ck_stock_levels_pending_not_negative", "pending >= 0"),
    ("stock_levels", "ck_stock_levels_reserved_not_negative", "reserved >= 0"),
    ("pending_movements", "ck_pending_movements_quantity_positive", "quantity > 0"),
    ("reservations", "ck_reservations_quantity_positive", "quantity > 0"),
)
HOLD_MESSAGE = "a hold exceeds what its stock row has available"
RELEASE_MESSAGE = "a pending movement is released only once"

POSTGRESQL = (
    """
    CREATE FUNCTION tillsync_hold_within_available() RETURNS trigger AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM stock_levels WHERE id = NEW.stock_level_id
                   AND warehouse_available - pending - reserved < 0) THEN
            RAISE EXCEPTION 'a hold exceeds what its stock row has available'
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER pending_movements_hold_within_available
    AFTER INSERT ON pending_movements FOR EACH ROW
    EXECUTE FUNCTION tillsync_hold_within_available()
    """,
    """
    CREATE TRIGGER reservations_hold_within_available
    AFTER INSERT ON reservations FOR EACH ROW WHEN (NEW.status = 'active')
    EXECUTE FUNCTION tillsync_hold_within_available()
    """,
    f"""
    CREATE FUNCTION tillsync_released_once() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{RELEASE_MESSAGE}' USING ERRCODE = 'check_violation';
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER pending_movements_released_once
    BEFORE UPDATE OF released_at ON pending_movements FOR EACH ROW
    WHEN (OLD.released_at IS NOT NULL)
    EXECUTE FUNCTION tillsync_released_once()
    """,
)


def _refuse(name: str, when: str, message: str) -> str:
    return f"{when} WHEN {name} BEGIN SELECT RAISE(ABORT, '{message}'); END"


def _held(row: str) -> str:
    return f"(SELECT {FREE} FROM stock_levels WHERE id = {row}.stock_level_id) < 0"  # noqa: S608


NEGATIVE = "stock_levels: pending and reserved must not be negative"
NOT_POSITIVE = "a held quantity must be greater than 0"
SQLITE = {
    "stock_levels_holds_not_negative_on_insert": _refuse(
        "NEW.pending < 0 OR NEW.reserved < 0", "BEFORE INSERT ON stock_levels", NEGATIVE
    ),
    "stock_levels_holds_not_negative_on_update": _refuse(
        "NEW.pending < 0 OR NEW.reserved < 0",
        "BEFORE UPDATE OF pending, reserved ON stock_levels",
        NEGATIVE,
    ),
    "pending_movements_quantity_positive": _refuse(
        "NEW.quantity <= 0", "BEFORE INSERT ON pending_movements", NOT_POSITIVE
    ),
    "reservations_quantity_positive": _refuse(
        "NEW.quantity <= 0", "BEFORE INSERT ON reservations", NOT_POSITIVE
    ),
    "pending_movements_hold_within_available": _refuse(
        _held("NEW"), "AFTER INSERT ON pending_movements", HOLD_MESSAGE
    ),
    "reservations_hold_within_available": _refuse(
        f"NEW.status = 'active' AND {_held('NEW')}", "AFTER INSERT ON reservations", HOLD_MESSAGE
    ),
    "pending_movements_released_once": _refuse(
        "OLD.released_at IS NOT NULL",
        "BEFORE UPDATE OF released_at ON pending_movements",
        RELEASE_MESSAGE,
    ),
}


def upgrade() -> None:
    for statement in REPAIR:
        op.execute(statement)
    if op.get_bind().dialect.name == "postgresql":
        for table, name, condition in CHECKS:
            op.create_check_constraint(op.f(name), table, condition)
        for statement in POSTGRESQL:
            op.execute(statement)
        return
    for name, body in SQLITE.items():
        op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER pending_movements_released_once ON pending_movements")
        op.execute("DROP TRIGGER reservations_hold_within_available ON reservations")
        op.execute("DROP TRIGGER pending_movements_hold_within_available ON pending_movements")
        op.execute("DROP FUNCTION tillsync_released_once()")
        op.execute("DROP FUNCTION tillsync_hold_within_available()")
        for table, name, _ in CHECKS:
            op.drop_constraint(op.f(name), table, type_="check")
        return
    for name in SQLITE:
        op.execute(f"DROP TRIGGER {name}")
