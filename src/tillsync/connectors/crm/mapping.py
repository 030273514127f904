"""Pure functions between our sales and the CRM's invoices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from tillsync.domain.sales import SaleLine
from tillsync.errors import Permanent

__all__ = ["invoice_body", "invoice_ref"]

PAID = "paid"


def invoice_body(
    *,
    reference: str,
    customer_id: str,
    customer_name: str,
    currency: str,
    payment_method: str,
    issued_at: dt.datetime,
    lines: Sequence[SaleLine],
) -> dict[str, Any]:
    """A paid invoice for one POS sale. Only stored facts go in: every retry sends the same
    body, which is what lets the CRM match a repeated Idempotency-Key."""
    return {
        "customer_id": customer_id,
        "customer_name": customer_name,
        "currency": currency,
        "payment_method": payment_method,
        "reference": reference,
        "status": PAID,
        "issued_at": issued_at.isoformat(),
        "items": [
            {
                "sku": line.sku,
                "name": line.name,
                "quantity": line.quantity,
                "unit_price": line.price,
                "tax": line.tax,
            }
            for line in lines
        ],
    }


def invoice_ref(document: Any, *, where: str) -> tuple[str, str]:
    """(invoice id, invoice number) from a create answer or a listed invoice."""
    if isinstance(document, dict) and isinstance(document.get("invoice"), dict):
        document = {**document["invoice"], **document}
    if isinstance(document, dict):
        invoice_id = document.get("invoice_id") or document.get("id")
        number = document.get("invoice_number")
        if isinstance(invoice_id, str | int) and isinstance(number, str) and number:
            return str(invoice_id), number
    raise Permanent(f"{where} answered without an invoice id and number")
