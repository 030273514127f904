"""What a POS learns of a sale's deliveries: its CRM invoice and its warehouse push.

The hub answers at once, before any provider is called, so each delivery carries a `state`:

    crm.state        not_needed (no customer) · not_configured (no CRM connected)
                     · queued (the invoice job is under way, retries included)
                     · created · failed
    inventory.state  local_only (no warehouse connected) · queued · pushed · failed

`service_available` says the connection exists and its last attempt did not fail; it is not
a live call. Inventory updates are the hub's own stock holds, taken for every line in the
sale's transaction (a line that cannot be held refuses the whole sale), so they succeed
unless the warehouse push itself ends failed.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.domain.deliveries import (
    CrmDelivery,
    InventoryDelivery,
    InventoryState,
    Occasion,
    SaleStatus,
)
from tillsync.services.connections.roles import plays
from tillsync.services.history import subject_jobs
from tillsync.services.outbound.kinds import role_of
from tillsync.services.sale_rows import live_connections, subject
from tillsync.services.sales import recorded
from tillsync.store.tables import Connection, Job, Sale, SaleLine

UNDER_WAY = frozenset({"pending", "syncing", "retry", "batched"})
NO_CRM = "no CRM is connected: the sale has no invoice"


async def sale_status(session: AsyncSession, sale: Sale, duplicate: bool) -> SaleStatus:
    """POST's answer: `duplicate` when the same sale was recorded before."""
    return await _status(session, sale, "repeated" if duplicate else "recorded")


async def read_status(session: AsyncSession, sale: Sale) -> SaleStatus:
    """GET's answer: today's states, and neither a duplicate nor a new sale."""
    return await _status(session, sale, "read")


async def _status(session: AsyncSession, sale: Sale, occasion: Occasion) -> SaleStatus:
    jobs = await subject_jobs(session, sale.tenant_id, subject(sale))
    connections = await live_connections(session, sale.tenant_id)
    lines = await session.scalar(
        select(func.count()).select_from(SaleLine).where(SaleLine.sale_id == sale.id)
    )
    return SaleStatus(
        sale=recorded(sale),
        occasion=occasion,
        crm=_crm_status(sale, _by_role(jobs, "crm"), _healthy(connections, "crm")),
        inventory=_inventory_status(
            _by_role(jobs, "warehouse"), _healthy(connections, "warehouse"), items=int(lines or 0)
        ),
    )


def _by_role(jobs: list[tuple[Job, str, Connection | None]], role: str) -> list[tuple[Job, str]]:
    return [
        (job, state)
        for job, state, conn in jobs
        if conn is not None and (role_of(job.kind) or conn.role) == role  # the job's role
    ]


def _healthy(connections: list[Connection], role: str) -> bool:
    return any(plays(c, role) and c.status == "active" and c.error_count == 0 for c in connections)


def _crm_status(sale: Sale, jobs: list[tuple[Job, str]], available: bool) -> CrmDelivery:
    if not sale.customer_id:
        return CrmDelivery(state="not_needed", service_available=available)
    if not jobs:
        return CrmDelivery(state="not_configured", service_available=available, error=NO_CRM)
    job, state = jobs[0]
    if state == "success":
        return CrmDelivery(
            state="created",
            service_available=available,
            invoice_id=job.checkpoint.get("invoice_id"),
            invoice_number=job.provider_reference,
        )
    return CrmDelivery(
        state="queued" if state in UNDER_WAY else "failed",
        service_available=available,
        error=job.last_error,
    )


def _inventory_status(
    jobs: list[tuple[Job, str]], available: bool, *, items: int
) -> InventoryDelivery:
    state: InventoryState
    if not jobs:
        state = "local_only"
    elif any(s == "failed" for _, s in jobs):
        state = "failed"
    elif all(s == "success" for _, s in jobs):
        state = "pushed"
    else:
        state = "queued"
    return InventoryDelivery(
        state=state,
        service_available=available,
        items=items,
        error=next((job.last_error for job, s in jobs if s == "failed"), None),
    )
