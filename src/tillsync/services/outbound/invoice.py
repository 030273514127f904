"""The `<provider>.create_invoice` job: one paid invoice per customer sale, never two.

The sale's POS id is the invoice's reference (the CRM also gets it as an idempotency key).
After an uncertain outcome (a timeout, a dropped answer, a 5xx, a worker killed
mid-call: any attempt after the first that has no checkpoint) the invoice is looked up
by reference before one is created, so a CRM that ignores the key still gets one invoice.
"""

from __future__ import annotations

from sqlalchemy import select

from tillsync.connectors.budget import lane_for
from tillsync.domain.invoices import InvoiceRef, InvoiceRequest
from tillsync.domain.sales import SaleLine as Line
from tillsync.errors import Permanent
from tillsync.jobs.worker import InvalidPayload, JobContext
from tillsync.services.connections.links import (
    DISCONNECTED,
    crm_for,
    load_connection,
    provider_of,
)
from tillsync.services.context import Services
from tillsync.store.tables import Sale, SaleLine


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
            Line(sku=r.sku, name=r.name, quantity=r.quantity, price=r.price, tax=r.tax)
            for r in rows
        ]
    if connection.status == DISCONNECTED:
        title = provider_of(services, connection).title
        raise Permanent(f"the {title} connection was disconnected before the invoice was made")
    if not sale.customer_id or not sale.customer_name:
        raise InvalidPayload(f"sale {sale.reference} has no customer to invoice")
    crm = crm_for(services, connection, lane=lane_for(ctx.job.priority))
    if ctx.job.attempts > 1:
        found = await crm.find_invoice(sale.reference)
        if found is not None:
            await _remember(ctx, found)
            return
    settings = connection.settings or {}
    created = await crm.create_invoice(
        InvoiceRequest(
            reference=sale.reference,
            customer_id=sale.customer_id,
            customer_name=sale.customer_name,
            currency=sale.currency or str(settings.get("currency") or "USD"),
            payment_method=sale.payment_method or str(settings.get("payment_method") or "other"),
            lines=lines,
            issued_at=sale.created_at,
        )
    )
    await _remember(ctx, created)


async def _remember(ctx: JobContext, invoice: InvoiceRef) -> None:
    await ctx.save(invoice_id=invoice.external_id, invoice_number=invoice.number)
    ctx.reference = invoice.number
