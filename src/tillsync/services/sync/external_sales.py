"""Sales made at the warehouse by other channels, recorded once in the hub with their lines.

Both the warehouse's webhook for shipped sales and a pull's catch-up of the sales its
missed deliveries would have announced record them here. Our own sales pushed to the
warehouse come back through both and are skipped: by the warehouse's id (kept on a sale
once pushed) or by their reference there (the POS saleId).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from decimal import Decimal

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.connectors.contract import Warehouse
from tillsync.services.context import Services
from tillsync.store.database import chunks
from tillsync.store.tables import Connection, Sale, SaleLine

ZERO = Decimal(0)
OUR_SOURCES = ("pos", "order")
"""Sales the hub pushed: a POS's, and the SKU items of an ordering app's order."""
Progress = Callable[[AsyncSession], Awaitable[None]]


async def known(session: AsyncSession, tenant_id: str, sales: Mapping[str, str | None]) -> set[str]:
    """Of these warehouse sales (id → our reference), those the hub has: pushed, or recorded."""
    ids = list(sales)
    found: set[str | None] = set()
    for part in chunks(ids):
        found |= set(
            await session.scalars(
                select(Sale.provider_reference).where(
                    Sale.tenant_id == tenant_id, Sale.provider_reference.in_(part)
                )
            )
        )
        found |= set(await session.scalars(_references(tenant_id, "external", part)))
    ours: set[str] = set()
    for part in chunks(list({ref for ref in sales.values() if ref})):
        for source in OUR_SOURCES:
            ours |= set(await session.scalars(_references(tenant_id, source, part)))
    return {sale_id for sale_id, ref in sales.items() if sale_id in found or ref in ours}


async def record(
    services: Services,
    connection: Connection,
    sale_id: str,
    *,
    warehouse: Warehouse,
    progress: Progress | None = None,
) -> bool:
    """Fetch and record the warehouse's sale `sale_id` unless the hub has it; whether it was.

    A sale the hub has costs no call. `progress` runs inside the sale's transaction, so a
    pull's checkpoint moves with what it stored.
    """
    async with services.uows.read() as session:
        if await known(session, connection.tenant_id, {sale_id: None}):
            return False
    remote = await warehouse.sale(sale_id)
    async with services.uows.begin() as uow:
        if await known(uow.session, connection.tenant_id, {sale_id: remote.reference}):
            return False  # one of our POS sales, or recorded meanwhile
        sale = Sale(
            tenant_id=connection.tenant_id,
            source="external",
            reference=sale_id,
            connection_id=connection.id,
            invoice_number=remote.number,
            customer_name=remote.customer,
            location=remote.location,
            total=sum((line.total for line in remote.lines), ZERO),
            created_at=uow.now,
        )
        uow.session.add(sale)
        await uow.session.flush()
        for position, line in enumerate(remote.lines):
            uow.session.add(
                SaleLine(
                    tenant_id=connection.tenant_id,
                    sale_id=sale.id,
                    position=position,
                    sku=line.sku,
                    name=line.name,
                    quantity=line.quantity,
                    price=line.price,
                    tax=line.tax,
                    provider_product_id=line.product_id,
                )
            )
        if progress is not None:
            await progress(uow.session)
        await uow.commit()
    return True


def _references(tenant_id: str, source: str, references: Sequence[str]) -> Select[str]:
    return select(Sale.reference).where(
        Sale.tenant_id == tenant_id, Sale.source == source, Sale.reference.in_(references)
    )
