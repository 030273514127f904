"""Answers of POST /api/cin7/sale-sync: a stock check, a hold, its release, a recorded sale."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from tillsync.api.answers import Answer


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
