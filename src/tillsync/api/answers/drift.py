"""Answers of drift reports: a reconciliation's run and the differences it found."""

from __future__ import annotations

import datetime as dt

from tillsync.api.answers import Answer
from tillsync.api.answers.pulls import RunCounts


class DriftReportSummary(RunCounts):
    id: str
    type: str
    status: str
    startedAt: dt.datetime
    completedAt: dt.datetime | None
    durationMs: int | None
    error: str | None


class DriftReports(Answer):
    reports: list[DriftReportSummary]
    page: int
    limit: int
    total: int


class Difference(Answer):
    kind: str
    sku: str | None
    location: str | None
    field: str
    hubValue: str | None
    providerValue: str | None
    fixed: bool
    note: str | None


class DriftDetails(DriftReportSummary):
    items: list[Difference]
    page: int
    limit: int
