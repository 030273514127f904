"""The tables of the hub. Every business row carries its tenant."""

from tillsync.store.tables.accounts import (
    ApiKey,
    Connection,
    OAuthState,
    Tenant,
    WebhookRegistration,
)
from tillsync.store.tables.base import Base, new_id
from tillsync.store.tables.events import Event, InboxEntry, Notification
from tillsync.store.tables.jobs import Job, JobAttempt, RateBudget, RateGrant, WorkerHeartbeat
from tillsync.store.tables.orders import Order, OrderItem
from tillsync.store.tables.records import Record
from tillsync.store.tables.runs import DriftItem, Run, SyncSeen, SyncStage
from tillsync.store.tables.sales import Sale, SaleLine
from tillsync.store.tables.stock import (
    Alert,
    AuditEntry,
    InventoryCheck,
    PendingMovement,
    Product,
    Reservation,
    StockLevel,
)

__all__ = [
    "Alert",
    "ApiKey",
    "AuditEntry",
    "Base",
    "Connection",
    "DriftItem",
    "Event",
    "InboxEntry",
    "InventoryCheck",
    "Job",
    "JobAttempt",
    "Notification",
    "OAuthState",
    "Order",
    "OrderItem",
    "PendingMovement",
    "Product",
    "RateBudget",
    "RateGrant",
    "Record",
    "Reservation",
    "Run",
    "Sale",
    "SaleLine",
    "StockLevel",
    "SyncSeen",
    "SyncStage",
    "Tenant",
    "WebhookRegistration",
    "WorkerHeartbeat",
    "new_id",
]
