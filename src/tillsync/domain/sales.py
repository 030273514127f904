"""A sale line as the hub hands it to a provider."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class SaleLine:
    sku: str
    name: str
    quantity: Decimal
    price: Decimal
    tax: Decimal = ZERO
