"""Answers of seed 001's drift reports, which name the warehouse's value `cin7Value`."""

from __future__ import annotations

from tillsync.api.answers import Answer
from tillsync.api.answers.drift import DriftReports, DriftReportSummary

__all__ = ["DriftDifference", "DriftReport", "DriftReports"]


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
