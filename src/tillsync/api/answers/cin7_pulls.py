"""Answers of the CIN7 pulls on request: queued, their progress, and drift reports."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from tillsync.api.answers import Answer


class PullQueued(Answer):
    runId: str
    jobId: str
    mode: Literal["full", "quick", "reconcile"]
    status: Literal["queued"]


class PullProgress(Answer):
    runId: str
    jobId: str | None
    mode: str
    type: str
    status: str
    phase: str | None
    pages: int
    pagesTotal: int | None = Field(description="Pages expected in all, once CIN7 told")
    itemsSynced: int
    itemsFailed: int
    itemsDeleted: int
    driftFound: int
    driftFixed: int
    salesFound: int | None
    startedAt: dt.datetime
    completedAt: dt.datetime | None
    durationMs: int | None
    error: str | None


class DriftReportSummary(Answer):
    id: str
    type: str
    status: str
    driftFound: int
    driftFixed: int
    compared: int
    itemsDeleted: int
    startedAt: dt.datetime
    completedAt: dt.datetime | None
    durationMs: int | None
    error: str | None


class DriftReports(Answer):
    reports: list[DriftReportSummary]
    page: int
    limit: int
    total: int


class DriftDifference(Answer):
    kind: str
    sku: str | None
    location: str | None
    field: str
    hubValue: str | None
    cin7Value: str | None
    fixed: bool
    note: str | None


class DriftReport(DriftReportSummary):
    items: list[DriftDifference]
    page: int
    limit: int
