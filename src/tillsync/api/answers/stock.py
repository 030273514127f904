"""Answers of POST /api/cin7/sale-sync: a stock check, a hold, its release, a recorded sale."""

from __future__ import annotations

import datetime as dt
from typing import Literal

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
    released: bool
    reservationId: str
    status: str
    message: str


class SaleRecorded(Answer):
    success: bool
    saleId: str
    id: str
    syncStatus: str
    duplicate: bool
    total: float
    message: str


SaleSyncAnswer = StockCheck | Hold | HoldReleased | SaleRecorded
