"""A sale line as the hub hands it to a provider, and the lines of a batch of sales."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from tillsync.domain.ledger import ZERO


@dataclass(frozen=True, slots=True)
class SaleLine:
    sku: str
    name: str
    quantity: Decimal
    price: Decimal
    tax: Decimal = ZERO


def summed(lines: Iterable[SaleLine]) -> list[SaleLine]:
    """Lines of several sales as one document's: one line per SKU, in SKU order, with the
    quantities and taxes added and the price that keeps the amount."""
    totals: dict[str, tuple[str, Decimal, Decimal, Decimal]] = {}
    for line in lines:
        name, quantity, amount, tax = totals.get(line.sku, ("", ZERO, ZERO, ZERO))
        totals[line.sku] = (
            name or line.name,
            quantity + line.quantity,
            amount + line.quantity * line.price,
            tax + line.tax,
        )
    return [
        SaleLine(sku=sku, name=name, quantity=quantity, price=amount / quantity, tax=tax)
        for sku, (name, quantity, amount, tax) in sorted(totals.items())
    ]
