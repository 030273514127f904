"""A sale as stored: its row, its lines, and one job per connection that must hear of it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.jobs.store import NewJob
from tillsync.services.connections.roles import roles_of
from tillsync.services.outbound.kinds import ROLE_JOBS, kind
from tillsync.services.tenants import Caller
from tillsync.store.tables import Connection, Product, Sale, SaleLine, new_id

if TYPE_CHECKING:
    import datetime as dt

    from tillsync.services.sales import SaleInput

PUSH_PRIORITY = 10
CUSTOMER_ROLES = frozenset({"crm"})
"""Roles that only hear of sales with a customer."""
SALES: Any = Sale.__table__
SALE_LINES: Any = SaleLine.__table__
"""Written as tables: rows inserted in bulk need none of the ORM's bookkeeping."""


def sale_row(caller: Caller, sale: SaleInput, *, now: dt.datetime, source: str) -> dict[str, Any]:
    return {
        "id": new_id(),
        "tenant_id": caller.tenant_id,
        "source": source,
        "reference": sale.sale_id,
        "connection_id": None,
        "provider_reference": None,
        "invoice_number": sale.invoice_number,
        "customer_name": sale.customer_name,
        "customer_id": sale.customer_id,
        "currency": sale.currency,
        "payment_method": sale.payment_method,
        "location": sale.location or caller.default_location,
        "total": sum((line.quantity * line.price + line.tax for line in sale.items), Decimal(0)),
        "request_hash": sale.fingerprint(),
        "created_at": now,
    }


def line_rows(row: Sale, sale: SaleInput, products: Mapping[str, Product]) -> list[dict[str, Any]]:
    """The sale's lines in its order, named as sent or else as the product is."""
    return [
        {
            "id": new_id(),
            "tenant_id": row.tenant_id,
            "sale_id": row.id,
            "position": position,
            "sku": line.sku,
            "name": line.name or products[line.sku].name,
            "quantity": line.quantity,
            "price": line.price,
            "tax": line.tax,
            "provider_product_id": line.product_ref,
        }
        for position, line in enumerate(sale.items)
    ]


async def live_connections(session: AsyncSession, tenant_id: str) -> list[Connection]:
    """The tenant's connections that may have to hear of a sale, in a stable order."""
    return list(
        await session.scalars(
            select(Connection)
            .where(Connection.tenant_id == tenant_id, Connection.status != "disconnected")
            .order_by(Connection.id)
        )
    )


def sale_jobs(
    connections: Sequence[Connection], row: Sale, *, request_id: str | None = None
) -> list[NewJob]:
    """One job per connection that must hear of the sale: warehouse pushes, CRM invoices."""
    roles = [
        (role, connection)
        for connection in connections
        for role in roles_of(connection)
        if role in ROLE_JOBS and (role not in CUSTOMER_ROLES or row.customer_id)
    ]
    return [
        NewJob(
            kind=kind(connection.provider, ROLE_JOBS[role]),
            payload={"sale_id": row.id},
            idempotency_key=f"{connection.id}:{row.id}",
            tenant_id=row.tenant_id,
            connection_id=connection.id,
            subject=subject(row),
            priority=PUSH_PRIORITY,
            request_id=request_id,
        )
        for role, connection in sorted(roles, key=lambda pair: (pair[0], pair[1].id))
    ]


def subject(sale: Sale) -> str:
    return f"sale:{sale.id}"
