"""An invoice asked of a CRM for one customer's sale, and the CRM's reference to it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from tillsync.domain.sales import SaleLine


@dataclass(frozen=True, slots=True)
class InvoiceRequest:
    reference: str
    customer_id: str
    customer_name: str
    currency: str
    payment_method: str
    lines: Sequence[SaleLine]
    issued_at: dt.datetime


@dataclass(frozen=True, slots=True)
class InvoiceRef:
    external_id: str
    number: str
