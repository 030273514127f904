"""What a POS learns of a sale's deliveries: seed 003's `crmStatus` and `inventoryStatus`.

The hub answers at once, before any provider is called, so each status carries a `state`:

    crmStatus.state        not_needed (no customer) · not_configured (no CRM connected)
                           · queued (the invoice job is under way, retries included)
                           · created · failed
    inventoryStatus.state  local_only (no warehouse connected) · queued · pushed · failed

`serviceAvailable` says the connection exists and its last attempt did not fail; it is not
a live call. Inventory updates are the hub's own stock holds, taken for every line in the
sale's transaction (a line that cannot be held refuses the whole sale), so they succeed
unless the warehouse push itself ends failed.
"""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.services.history import subject_jobs
from tillsync.services.sales import subject
from tillsync.store.tables import Connection, Job, Sale, SaleLine

UNDER_WAY = frozenset({"pending", "syncing", "retry", "batched"})
NO_CRM = "no CRM is connected: the sale has no invoice"


Occasion = Literal["recorded", "repeated", "read"]
"""Why the status is given: a sale just recorded, a POST repeated, or a read (GET)."""
OPENINGS: dict[Occasion, str] = {
    "recorded": "Sale completed successfully",
    "repeated": "Sale already recorded",
    "read": "Sale found",
}


async def sale_status(session: AsyncSession, sale: Sale, duplicate: bool) -> dict[str, Any]:
    """POST's answer: `duplicate` when the same sale was recorded before."""
    return await _status(session, sale, "repeated" if duplicate else "recorded")


async def read_status(session: AsyncSession, sale: Sale) -> dict[str, Any]:
    """GET's answer: today's states, and neither a duplicate nor a new sale."""
    return await _status(session, sale, "read")


async def _status(session: AsyncSession, sale: Sale, occasion: Occasion) -> dict[str, Any]:
    jobs = await subject_jobs(session, sale.tenant_id, subject(sale))
    connections = list(
        await session.scalars(
            select(Connection).where(
                Connection.tenant_id == sale.tenant_id, Connection.status != "disconnected"
            )
        )
    )
    lines = await session.scalar(
        select(func.count()).select_from(SaleLine).where(SaleLine.sale_id == sale.id)
    )
    crm = _crm_status(sale, _by_role(jobs, "crm"), _healthy(connections, "crm"))
    inventory = _inventory_status(
        _by_role(jobs, "warehouse"), _healthy(connections, "warehouse"), items=int(lines or 0)
    )
    return {
        "success": True,
        "saleId": sale.reference,
        "id": sale.id,
        "duplicate": occasion == "repeated",
        "total": sale.total,
        "message": _message(crm, inventory, occasion=occasion),
        "crmStatus": crm,
        "inventoryStatus": inventory,
    }


def _by_role(jobs: list[tuple[Job, str, Connection | None]], role: str) -> list[tuple[Job, str]]:
    return [(job, state) for job, state, conn in jobs if conn is not None and conn.role == role]


def _healthy(connections: list[Connection], role: str) -> bool:
    return any(c.role == role and c.status == "active" and c.error_count == 0 for c in connections)


def _crm_status(sale: Sale, jobs: list[tuple[Job, str]], available: bool) -> dict[str, Any]:
    status: dict[str, Any] = {
        "serviceAvailable": available,
        "invoiceCreated": False,
        "invoice_id": None,
        "invoice_number": None,
        "error": None,
        "state": "not_needed",
    }
    if not sale.customer_id:
        return status
    if not jobs:
        return status | {"state": "not_configured", "error": NO_CRM}
    job, state = jobs[0]
    if state == "success":
        return status | {
            "invoiceCreated": True,
            "invoice_id": job.checkpoint.get("invoice_id"),
            "invoice_number": job.provider_reference,
            "state": "created",
        }
    return status | {
        "error": job.last_error,
        "state": "queued" if state in UNDER_WAY else "failed",
    }


def _inventory_status(
    jobs: list[tuple[Job, str]], available: bool, *, items: int
) -> dict[str, Any]:
    if not jobs:
        state = "local_only"
    elif any(s == "failed" for _, s in jobs):
        state = "failed"
    elif all(s == "success" for _, s in jobs):
        state = "pushed"
    else:
        state = "queued"
    failed = items if state == "failed" else 0
    return {
        "serviceAvailable": available,
        "updatesSuccessful": state != "failed",
        "summary": {
            "total_items": items,
            "successful_updates": items - failed,
            "failed_updates": failed,
        },
        "state": state,
        "error": next((job.last_error for job, s in jobs if s == "failed"), None),
    }


def _message(crm: dict[str, Any], inventory: dict[str, Any], *, occasion: Occasion) -> str:
    text = OPENINGS[occasion]
    text += {
        "local_only": " with inventory updates",
        "queued": " with inventory updates (warehouse push queued)",
        "pushed": " with inventory updates",
        "failed": " with inventory updates (warehouse push failed)",
    }[inventory["state"]]
    return (
        text
        + {
            "not_needed": "",
            "not_configured": "; no CRM is connected, so no invoice",
            "queued": "; the CRM invoice is queued",
            "created": f" and CRM invoice {crm['invoice_number']}",
            "failed": "; the CRM invoice failed",
        }[crm["state"]]
    )
