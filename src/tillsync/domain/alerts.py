"""Inventory alert rules: out of stock at zero, low at or under the reorder level."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from tillsync.domain.ledger import format_quantity


class AlertType(StrEnum):
    OUT_OF_STOCK = "out_of_stock"
    LOW_STOCK = "low_stock"


SEVERITY = {AlertType.OUT_OF_STOCK: "critical", AlertType.LOW_STOCK: "warning"}


@dataclass(frozen=True, slots=True)
class AlertChange:
    """What to do with a product's alerts after its stock moved."""

    raise_type: AlertType | None
    resolve_types: frozenset[AlertType]


def alert_for(level: Decimal, reorder_level: Decimal) -> AlertType | None:
    if level <= 0:
        return AlertType.OUT_OF_STOCK
    if reorder_level > 0 and level <= reorder_level:
        return AlertType.LOW_STOCK
    return None


def alert_change(
    *, level: Decimal, reorder_level: Decimal, open_types: frozenset[AlertType]
) -> AlertChange:
    """Raise the alert the level calls for unless it is open; resolve every other open one."""
    wanted = alert_for(level, reorder_level)
    raise_type = wanted if wanted is not None and wanted not in open_types else None
    return AlertChange(
        raise_type=raise_type,
        resolve_types=frozenset(t for t in open_types if t != wanted),
    )


def alert_message(
    alert_type: AlertType, *, name: str, level: Decimal, reorder_level: Decimal
) -> str:
    if alert_type is AlertType.OUT_OF_STOCK:
        return f"{name} is out of stock"
    return (
        f"{name} is low on stock ({format_quantity(level)} left, "
        f"reorder level {format_quantity(reorder_level)})"
    )
