"""Answers of the order endpoints and of manual sync, in seed 004's `{success, data,
message}` envelope, with the functions that write them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tillsync.api.answers import Answer, when
from tillsync.api.numbers import number
from tillsync.services.order_views import OrderSync, OrderView
from tillsync.services.pos_sync import ManualSync


class ShownItem(Answer):
    dish_id: str
    sku: str | None
    name: str
    quantity: float
    unit_price: float
    note: str | None


class ShownCustomer(Answer):
    name: str | None
    phone: str | None


class ShownSync(Answer):
    id: str
    provider: str
    status: str
    retry_count: int
    pos_order_id: str | None
    next_retry_at: dt.datetime | None
    error_message: str | None
    completed_at: dt.datetime | None


class ShownOrder(Answer):
    id: str
    order_id: str
    business_id: str
    currency: str
    total: float
    special_instructions: str | None
    customer: ShownCustomer | None
    items: list[ShownItem]
    created_at: dt.datetime
    sync_state: str
    pos_order_id: str | None
    pos_state: str | None
    pos_state_at: dt.datetime | None
    syncs: list[ShownSync]


class OrderData(Answer):
    order: ShownOrder
    duplicate: bool


class OrderAnswer(Answer):
    success: bool
    data: OrderData
    message: str


class SyncLogShown(Answer):
    id: str
    order_id: str
    status: str
    provider: str
    retry_count: int
    pos_order_id: str | None
    created_at: dt.datetime | None
    already_synced: bool


class SyncData(Answer):
    syncLog: SyncLogShown


class SyncAnswer(Answer):
    success: bool
    data: SyncData
    message: str


def sync_json(sync: OrderSync) -> dict[str, Any]:
    return {
        "id": sync.job_id,
        "provider": sync.provider,
        "status": sync.status,
        "retry_count": sync.retry_count,
        "pos_order_id": sync.pos_order_id,
        "next_retry_at": when(sync.next_retry_at),
        "error_message": sync.error_message,
        "completed_at": when(sync.completed_at),
    }


def order_json(order: OrderView, *, message: str) -> dict[str, Any]:
    draft = order.draft
    customer = draft.customer
    shown = {
        "id": order.id,
        "order_id": draft.order_id,
        "business_id": order.business_id,
        "currency": draft.currency,
        "total": number(order.total),
        "special_instructions": draft.special_instructions,
        "customer": None if customer is None else {"name": customer.name, "phone": customer.phone},
        "items": [
            {
                "dish_id": item.dish_id,
                "sku": item.sku,
                "name": item.name,
                "quantity": number(item.quantity),
                "unit_price": number(item.unit_price),
                "note": item.note,
            }
            for item in draft.items
        ],
        "created_at": when(order.created_at),
        "sync_state": order.sync_state,
        "pos_order_id": order.pos_order_id,
        "pos_state": order.pos_state,
        "pos_state_at": when(order.pos_state_at),
        "syncs": [sync_json(sync) for sync in order.syncs],
    }
    return {
        "success": True,
        "data": {"order": shown, "duplicate": order.duplicate},
        "message": message,
    }


def manual_sync_json(done: ManualSync) -> dict[str, Any]:
    sync = done.sync
    if done.already_synced:
        message = f"Order is already in the POS ({sync.pos_order_id}); no second order was made"
    else:
        message = "Order sync initiated"
    return {
        "success": True,
        "data": {
            "syncLog": {
                "id": sync.job_id,
                "order_id": done.order_id,
                "status": sync.status,
                "provider": sync.provider,
                "retry_count": sync.retry_count,
                "pos_order_id": sync.pos_order_id,
                "created_at": when(done.created_at),
                "already_synced": done.already_synced,
            }
        },
        "message": message,
    }
