"""The CRM's invoice rules: validation with the failing field named, numbering, idempotency."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

CURRENCY = re.compile(r"^[A-Z]{3}$")
STATUSES = ("draft", "sent", "paid")
MAX_LINES = 500
_TEXT_LIMITS = {
    "customer_id": 200,
    "customer_name": 300,
    "payment_method": 100,
    "reference": 200,
}


class InvoiceError(Exception):
    """A refusal the CRM answers with: its HTTP status, message and the field at fault."""

    def __init__(self, message: str, *, status: int = 400, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    sku: str
    name: str
    quantity: Decimal
    unit_price: Decimal
    tax: Decimal

    @property
    def amount(self) -> Decimal:
        return self.quantity * self.unit_price


@dataclass(frozen=True, slots=True)
class Draft:
    """A validated request to create an invoice, before the CRM numbers it."""

    customer_id: str
    customer_name: str
    currency: str
    payment_method: str
    reference: str
    status: str
    lines: tuple[InvoiceLine, ...]
    fingerprint: str = field(compare=False)


@dataclass(frozen=True, slots=True)
class Invoice(Draft):
    """A draft the CRM has numbered and kept."""

    id: str
    number: str
    created_at: dt.datetime
    idempotency_key: str | None = None

    @property
    def subtotal(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))

    @property
    def tax_total(self) -> Decimal:
        return sum((line.tax for line in self.lines), Decimal(0))

    def document(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "invoice_number": self.number,
            "customer_id": self.customer_id,
            "customer_name": self.customer_name,
            "currency": self.currency,
            "payment_method": self.payment_method,
            "reference": self.reference,
            "status": self.status,
            "items": [
                {
                    "sku": line.sku,
                    "name": line.name,
                    "quantity": line.quantity,
                    "unit_price": line.unit_price,
                    "tax": line.tax,
                    "amount": line.amount,
                }
                for line in self.lines
            ],
            "subtotal": self.subtotal,
            "tax_total": self.tax_total,
            "total": self.subtotal + self.tax_total,
            "created_at": self.created_at.isoformat(),
        }


def parse_draft(body: Any) -> Draft:
    """Check every field of a create request; the first problem is raised with its field."""
    if not isinstance(body, dict):
        raise InvoiceError("the body must be a JSON object", field="body")
    texts = {name: _text(body, name, limit) for name, limit in _TEXT_LIMITS.items()}
    currency = body.get("currency")
    if not isinstance(currency, str) or not CURRENCY.match(currency):
        raise InvoiceError("currency must be a 3-letter ISO code such as USD", field="currency")
    status = body.get("status", "paid")
    if status not in STATUSES:
        raise InvoiceError(f"status must be one of {', '.join(STATUSES)}", field="status")
    items = body.get("items")
    if not isinstance(items, list) or not items:
        raise InvoiceError("items must be a non-empty list", field="items")
    if len(items) > MAX_LINES:
        raise InvoiceError(f"items must have at most {MAX_LINES} lines", field="items")
    lines = tuple(_line(item, f"items[{i}]") for i, item in enumerate(items))
    canonical = json.dumps(body, sort_keys=True, default=str)
    return Draft(
        customer_id=texts["customer_id"],
        customer_name=texts["customer_name"],
        currency=currency,
        payment_method=texts["payment_method"],
        reference=texts["reference"],
        status=str(status),
        lines=lines,
        fingerprint=hashlib.sha256(canonical.encode()).hexdigest(),
    )


def _text(body: dict[str, Any], name: str, limit: int, *, where: str = "") -> str:
    value = body.get(name)
    path = f"{where}.{name}" if where else name
    if value is None:
        raise InvoiceError(f"{path} is required", field=path)
    if not isinstance(value, str) or not value.strip():
        raise InvoiceError(f"{path} must be a non-empty string", field=path)
    if len(value) > limit:
        raise InvoiceError(f"{path} must be at most {limit} characters", field=path)
    return value.strip()


def _number(
    body: dict[str, Any], name: str, where: str, *, positive: bool, default: Decimal | None = None
) -> Decimal:
    path = f"{where}.{name}"
    value = body.get(name, default)
    if value is None:
        raise InvoiceError(f"{path} is required", field=path)
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise InvoiceError(f"{path} must be a number", field=path)
    number = Decimal(value)
    if not number.is_finite() or number < 0 or (positive and number == 0):
        problem = "greater than 0" if positive else "0 or more"
        raise InvoiceError(f"{path} must be {problem}", field=path)
    return number


def _line(item: Any, where: str) -> InvoiceLine:
    if not isinstance(item, dict):
        raise InvoiceError(f"{where} must be an object", field=where)
    return InvoiceLine(
        sku=_text(item, "sku", 100, where=where),
        name=_text(item, "name", 300, where=where),
        quantity=_number(item, "quantity", where, positive=True),
        unit_price=_number(item, "unit_price", where, positive=False),
        tax=_number(item, "tax", where, positive=False, default=Decimal(0)),
    )


class Ledger:
    """Every invoice, numbered `INV-<year>-<NNNN>` by a sequence that restarts each year."""

    def __init__(self) -> None:
        self.invoices: list[Invoice] = []
        self._sequence: dict[int, int] = {}
        self._by_key: dict[str, Invoice] = {}

    def replay(self, key: str | None, draft: Draft) -> Invoice | None:
        """The invoice an earlier request with this key made; a different body is refused."""
        invoice = None if key is None else self._by_key.get(key)
        if invoice is not None and invoice.fingerprint != draft.fingerprint:
            raise InvoiceError(
                "Idempotency-Key was already used with a different request body",
                status=422,
                field="Idempotency-Key",
            )
        return invoice

    def create(self, draft: Draft, *, key: str | None, now: dt.datetime) -> Invoice:
        number = self._sequence.get(now.year, 0) + 1
        self._sequence[now.year] = number
        invoice = Invoice(
            **{f.name: getattr(draft, f.name) for f in fields(Draft)},
            id=str(uuid.uuid4()),
            number=f"INV-{now.year}-{number:04d}",
            created_at=now,
            idempotency_key=key,
        )
        self.invoices.append(invoice)
        if key is not None:
            self._by_key[key] = invoice
        return invoice

    def by_reference(self, reference: str) -> list[Invoice]:
        return [invoice for invoice in self.invoices if invoice.reference == reference]
