"""The `crm.create_invoice` job: one paid invoice per customer sale, never two.

The sale's POS id goes as `Idempotency-Key` (percent-encoded when it is not plain ASCII)
and as the invoice's `reference`. After an
uncertain outcome (a timeout, a dropped answer, a 5xx, a worker killed mid-call: any
attempt after the first that has no checkpoint) the invoice is looked up by reference
before one is created, so a CRM that ignores the key still gets one invoice.
"""

from __future__ import annotations

from urllib.parse import quote

from sqlalchemy import select

from tillsync.connectors.crm import mapping
from tillsync.connectors.crm.client import INVOICES_PATH
from tillsync.domain.sales import SaleLine as LineItem
from tillsync.errors import Permanent
from tillsync.jobs.worker import InvalidPayload, JobContext
from tillsync.services.connections.links import DISCONNECTED, load_connection
from tillsync.services.context import Services
from tillsync.services.crm.client import client_for
from tillsync.store.tables import Sale, SaleLine

KIND = "crm.create_invoice"


async def create_invoice(services: Services, ctx: JobContext) -> None:
    if "invoice_number" in ctx.checkpoint:  # made and remembered; only the settling was lost
        ctx.reference = str(ctx.checkpoint["invoice_number"])
        return
    sale_id = ctx.field("sale_id")
    async with services.uows.read() as session:
        connection = await load_connection(session, ctx.job.connection_id)
        sale = await session.get(Sale, sale_id)
        if sale is None or sale.tenant_id != connection.tenant_id:
            raise InvalidPayload(f"sale {sale_id} does not exist for this tenant")
        rows = await session.scalars(
            select(SaleLine).where(SaleLine.sale_id == sale.id).order_by(SaleLine.position)
        )
        lines = [
            LineItem(sku=r.sku, name=r.name, quantity=r.quantity, price=r.price, tax=r.tax)
            for r in rows
        ]
    if connection.status == DISCONNECTED:
        raise Permanent("the CRM connection was disconnected before the invoice was made")
    if not sale.customer_id or not sale.customer_name:
        raise InvalidPayload(f"sale {sale.reference} has no customer to invoice")
    client = client_for(services, connection)
    if ctx.job.attempts > 1:
        found = await client.find_invoices(sale.reference)
        if found:
            await _remember(ctx, *mapping.invoice_ref(found[0], where=f"GET {INVOICES_PATH}"))
            return
    settings = connection.settings or {}
    created = await client.create_invoice(
        mapping.invoice_body(
            reference=sale.reference,
            customer_id=sale.customer_id,
            customer_name=sale.customer_name,
            currency=sale.currency or str(settings.get("currency") or "USD"),
            payment_method=sale.payment_method or str(settings.get("payment_method") or "other"),
            issued_at=sale.created_at,
            lines=lines,
        ),
        idempotency_key=idempotency_key(sale.reference),
    )
    await _remember(ctx, *mapping.invoice_ref(created, where=f"POST {INVOICES_PATH}"))


def idempotency_key(sale_reference: str) -> str:
    """The POS sale id, percent-encoded where a header could not carry it as it is."""
    return quote(sale_reference, safe="")


async def _remember(ctx: JobContext, invoice_id: str, number: str) -> None:
    await ctx.save(invoice_id=invoice_id, invoice_number=number)
    ctx.reference = number
