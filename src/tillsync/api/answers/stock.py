"""Answers of POST /api/cin7/sale-sync: a stock check, a hold, its release, a recorded sale.

Each answer has its model, as the document shows it, and the function that shapes it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field

from tillsync.api.answers import Answer
from tillsync.api.numbers import number
from tillsync.domain import inventory, sales


class StockCheck(Answer):
    available: bool
    currentStock: float
    message: str
    sku: str
    quantity: float
    location: str
    warehouseAvailable: float
    pending: float
    reserved: float
    asOf: dt.datetime = Field(
        description="How fresh the figures are: every change committed before this time is "
        "counted (at most `TILLSYNC_STOCK_FRESHNESS_SECONDS` old, one second by default)"
    )


class Hold(Answer):
    reserved: Literal[True]
    reservationId: str
    sku: str
    quantity: float
    location: str
    expiresAt: dt.datetime
    availableAfter: float
    message: str


class HoldReleased(Answer):
    """A release always succeeds; a reservation that had ended already says so."""

    released: bool = Field(description="This request gave the held stock back")
    alreadyReleased: bool = Field(
        description="The reservation had ended before (released, or run out): nothing to do"
    )
    reservationId: str
    status: str = Field(description="`released`, or `expired` for one that ran out")
    message: str = Field(description="`Reservation released`, or `Reservation already …`")


class SaleRecorded(Answer):
    success: bool
    saleId: str
    id: str
    syncStatus: str
    duplicate: bool
    total: float
    message: str


SaleSyncAnswer = StockCheck | Hold | HoldReleased | SaleRecorded


def stock_check(check: inventory.StockCheck) -> dict[str, Any]:
    return {
        "available": check.available,
        "currentStock": number(check.current_stock),
        "message": check.message,
        "sku": check.sku,
        "quantity": number(check.quantity),
        "location": check.location,
        "warehouseAvailable": number(check.figures.warehouse_available),
        "pending": number(check.figures.pending),
        "reserved": number(check.figures.reserved),
        "asOf": check.as_of.isoformat() if check.as_of else None,
    }


def hold(held: inventory.Hold) -> dict[str, Any]:
    return {
        "reserved": True,
        "reservationId": held.reservation_id,
        "sku": held.sku,
        "quantity": number(held.quantity),
        "location": held.location,
        "expiresAt": held.expires_at.isoformat(),
        "availableAfter": number(held.available_after),
        "message": held.message,
    }


def hold_released(ended: inventory.HoldEnded) -> dict[str, Any]:
    return {
        "released": ended.released,
        "alreadyReleased": ended.already_ended,
        "reservationId": ended.reservation_id,
        "status": ended.status,
        "message": ended.message,
    }


def sale_recorded(outcome: sales.SaleOutcome) -> dict[str, Any]:
    return {
        "success": True,
        "saleId": outcome.sale.sale_id,
        "id": outcome.sale.id,
        "syncStatus": outcome.sync_status,
        "duplicate": outcome.duplicate,
        "total": number(outcome.sale.total),
        "message": outcome.message,
    }
