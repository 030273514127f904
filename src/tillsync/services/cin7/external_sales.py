"""Sales made at CIN7 by other channels, recorded once in the hub with their lines.

Both the Sale/ShipmentAuthorised webhook and a pull's catch-up of the sales its missed
deliveries would have announced record them here. Our own sales pushed to CIN7 come back
through both and are skipped: by CIN7's id (kept on a sale once pushed) or by their
ExternalID (the POS saleId).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from decimal import Decimal

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.connectors.cin7 import mapping
from tillsync.connectors.cin7.client import Cin7Client
from tillsync.services.context import Services
from tillsync.store.database import chunks
from tillsync.store.tables import Connection, Sale, SaleLine

ZERO = Decimal(0)
Progress = Callable[[AsyncSession], Awaitable[None]]


async def known(session: AsyncSession, tenant_id: str, sales: Mapping[str, str | None]) -> set[str]:
    """Of these CIN7 sales (id → ExternalID), those the hub has: pushed by us, or recorded."""
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
        ours |= set(await session.scalars(_references(tenant_id, "pos", part)))
    return {sale_id for sale_id, ref in sales.items() if sale_id in found or ref in ours}


async def record(
    services: Services,
    connection: Connection,
    sale_id: str,
    *,
    client: Cin7Client,
    progress: Progress | None = None,
) -> bool:
    """Fetch and record CIN7's sale `sale_id` unless the hub has it; whether it was recorded.

    A sale the hub has costs no call. `progress` runs inside the sale's transaction, so a
    pull's checkpoint moves with what it stored.
    """
    async with services.uows.read() as session:
        if await known(session, connection.tenant_id, {sale_id: None}):
            return False
    remote = await client.get_sale(sale_id)
    external_id = remote.get("ExternalID")
    async with services.uows.begin() as uow:
        reference = str(external_id) if external_id else None
        if await known(uow.session, connection.tenant_id, {sale_id: reference}):
            return False  # one of our POS sales, or recorded meanwhile
        lines = (remote.get("Order") or {}).get("Lines") or []
        sale = Sale(
            tenant_id=connection.tenant_id,
            source="external",
            reference=sale_id,
            connection_id=connection.id,
            invoice_number=remote.get("OrderNumber"),
            customer_name=remote.get("Customer"),
            location=str(remote.get("Location") or ""),
            total=sum((mapping.parse_decimal(line.get("Total")) or ZERO for line in lines), ZERO),
            created_at=uow.now,
        )
        uow.session.add(sale)
        await uow.session.flush()
        for position, line in enumerate(lines):
            uow.session.add(
                SaleLine(
                    tenant_id=connection.tenant_id,
                    sale_id=sale.id,
                    position=position,
                    sku=str(line.get("SKU") or ""),
                    name=str(line.get("Name") or ""),
                    quantity=mapping.parse_decimal(line.get("Quantity")) or ZERO,
                    price=mapping.parse_decimal(line.get("Price")) or ZERO,
                    tax=mapping.parse_decimal(line.get("Tax")) or ZERO,
                    provider_product_id=line.get("ProductID"),
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
