"""Answers of the sale endpoints (seed 003): a sale's status, and a sale with its jobs."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from tillsync.api.answers import Answer
from tillsync.api.answers.history import SyncLog


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
