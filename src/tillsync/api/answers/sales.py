"""Answers of the sale endpoints (seed 003): a sale's status, and a sale with its jobs."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field

from tillsync.api.answers import Answer
from tillsync.api.answers.history import SyncLog
from tillsync.api.numbers import number
from tillsync.domain import deliveries


class CrmStatus(Answer):
    serviceAvailable: bool
    invoiceCreated: bool
    invoice_id: str | None
    invoice_number: str | None
    error: str | None
    state: Literal["not_needed", "not_configured", "queued", "created", "failed"]


class InventorySummary(Answer):
    total_items: int
    successful_updates: int
    failed_updates: int


class InventoryStatus(Answer):
    serviceAvailable: bool
    updatesSuccessful: bool
    summary: InventorySummary
    state: Literal["local_only", "queued", "pushed", "failed"]
    error: str | None


class SaleStatus(Answer):
    success: bool
    saleId: str
    id: str
    duplicate: bool = Field(
        description="A repeated POST of a recorded sale; always false when read with GET"
    )
    total: float
    message: str
    crmStatus: CrmStatus
    inventoryStatus: InventoryStatus


def sale_status(status: deliveries.SaleStatus) -> dict[str, Any]:
    """POST's and GET's answer: the sale, and where its CRM invoice and warehouse push stand."""
    return {
        "success": True,
        "saleId": status.sale.sale_id,
        "id": status.sale.id,
        "duplicate": status.duplicate,
        "total": number(status.sale.total),
        "message": status.message,
        "crmStatus": crm_status(status.crm),
        "inventoryStatus": inventory_status(status.inventory),
    }


def crm_status(crm: deliveries.CrmDelivery) -> dict[str, Any]:
    return {
        "serviceAvailable": crm.service_available,
        "invoiceCreated": crm.invoice_created,
        "invoice_id": crm.invoice_id,
        "invoice_number": crm.invoice_number,
        "error": crm.error,
        "state": crm.state,
    }


def inventory_status(inventory: deliveries.InventoryDelivery) -> dict[str, Any]:
    return {
        "serviceAvailable": inventory.service_available,
        "updatesSuccessful": inventory.updates_successful,
        "summary": {
            "total_items": inventory.items,
            "successful_updates": inventory.items - inventory.failed_items,
            "failed_updates": inventory.failed_items,
        },
        "state": inventory.state,
        "error": inventory.error,
    }


class SaleLine(Answer):
    sku: str
    name: str
    quantity: float
    price: float
    tax: float


class SaleRecord(Answer):
    id: str
    reference: str
    created_at: dt.datetime
    location: str
    total: float
    invoice_number: str | None
    customer_name: str | None
    customer_id: str | None
    currency: str | None
    payment_method: str | None
    provider_reference: str | None
    lines: list[SaleLine]


class JobAttempt(Answer):
    number: int
    worker: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    outcome: str | None
    error: str | None


class SaleJob(SyncLog):
    attempts: list[JobAttempt]


class SaleHistory(Answer):
    sale: SaleRecord
    jobs: list[SaleJob]
