"""Answers of pulls on request: queued, and their progress.

A pull's progress and a reconciliation's report are two views of a run: both carry the
same counts (`RunCounts`), named and meant the same for a full, quick or reconciling pull.
"""

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


class RunCounts(Answer):
    """Every mode has every count; one a mode does not do stays 0."""

    pages: int = Field(
        description="Provider answers read: listing pages, and a quick pull's one call per SKU"
    )
    itemsSynced: int = Field(description="Products and stock rows read and applied")
    itemsFailed: int = Field(description="Products and stock rows that could not be applied")
    itemsDeleted: int = Field(description="Products the provider no longer lists, made inactive")
    compared: int = Field(description="Stock rows compared with the hub's figures")
    driftFound: int = Field(description="Differences reported (a reconciliation's)")
    driftFixed: int = Field(description="Differences repaired (a reconciliation's)")


class PullProgress(RunCounts):
    """`pages` grows as the pull runs; the other counts are the run's once it has ended."""

    runId: str
    jobId: str | None
    mode: str
    type: str
    status: str
    phase: str | None
    pagesTotal: int | None = Field(description="Pages expected in all, once the provider told")
    salesFound: int | None
    startedAt: dt.datetime
    completedAt: dt.datetime | None
    durationMs: int | None
    error: str | None
