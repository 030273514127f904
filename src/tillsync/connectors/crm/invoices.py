"""The CRM in its role: invoices made and found by our sale's reference."""

from __future__ import annotations

from urllib.parse import quote

from tillsync.connectors.contract import Account
from tillsync.connectors.crm import mapping
from tillsync.connectors.crm.client import INVOICES_PATH, CrmClient
from tillsync.domain.invoices import InvoiceRef, InvoiceRequest


class CrmInvoices:
    def __init__(self, client: CrmClient) -> None:
        self._client = client

    @property
    def client(self) -> CrmClient:
        """The CRM's own endpoints, for engine code not yet speaking the contract."""
        return self._client

    async def account(self) -> Account:
        await self._client.check()
        return Account(name="")

    async def create_invoice(self, invoice: InvoiceRequest) -> InvoiceRef:
        created = await self._client.create_invoice(
            mapping.invoice_body(
                reference=invoice.reference,
                customer_id=invoice.customer_id,
                customer_name=invoice.customer_name,
                currency=invoice.currency,
                payment_method=invoice.payment_method,
                issued_at=invoice.issued_at,
                lines=invoice.lines,
            ),
            idempotency_key=idempotency_key(invoice.reference),
        )
        return _ref(created, where=f"POST {INVOICES_PATH}")

    async def find_invoice(self, reference: str) -> InvoiceRef | None:
        found = await self._client.find_invoices(reference)
        return _ref(found[0], where=f"GET {INVOICES_PATH}") if found else None


def idempotency_key(sale_reference: str) -> str:
    """The POS sale id, percent-encoded where a header could not carry it as it is."""
    return quote(sale_reference, safe="")


def _ref(document: object, *, where: str) -> InvoiceRef:
    invoice_id, number = mapping.invoice_ref(document, where=where)
    return InvoiceRef(external_id=invoice_id, number=number)
