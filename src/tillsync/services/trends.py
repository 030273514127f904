"""Figures over time for the stats page: each connection's sync outcomes, and how long a POS sale
takes to reach the warehouse, in equal time buckets.

Jobs are counted as the sync stats count them (`services.stats`): every job of a connection,
a batched job by its batch's outcome, at the moment that outcome came. A bucket in which
nothing finished has no rate (None), not a rate of 0. Buckets are aligned to their length
in UTC (whole hours, whole days), so a chart read twice in an hour shows the same bars.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.services.history import SALE_SUBJECT, batch_job, batch_joined, shown_state
from tillsync.services.outbound.kinds import PUSH_SALE
from tillsync.services.stats import success_rate
from tillsync.store.tables import Connection, Job, Sale
from tillsync.store.uow import UnitsOfWork

SUCCESS_TARGET_PERCENT = 95.0
"""Seed 004: "> 95 % successful syncs"."""
LAG_TARGET_SECONDS = 10.0
"""Seed 004: "< 10 seconds for 95 % of orders"."""
LAG_PERCENTILE = 95
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class Span:
    """[start, end) cut into buckets of `step`."""

    start: dt.datetime
    end: dt.datetime
    step: dt.timedelta

    @property
    def starts(self) -> tuple[dt.datetime, ...]:
        count = math.ceil((self.end - self.start) / self.step)
        return tuple(self.start + index * self.step for index in range(count))

    def index(self, when: dt.datetime) -> int | None:
        """The bucket `when` falls in, or None outside the span."""
        if not self.start <= when < self.end:
            return None
        return int((when - self.start) // self.step)


def span_ending(now: dt.datetime, *, length: dt.timedelta, step: dt.timedelta) -> Span:
    """`length` of whole buckets, the last one holding `now`."""
    end = EPOCH + ((now - EPOCH) // step + 1) * step
    return Span(start=end - length, end=end, step=step)


@dataclass(frozen=True, slots=True)
class Outcomes:
    """Jobs that succeeded or failed for good within one bucket."""

    start: dt.datetime
    succeeded: int
    failed: int

    @property
    def rate(self) -> float | None:
        """Percent succeeded of those that finished; None when none did."""
        done = self.succeeded + self.failed
        return success_rate(self.succeeded, done) if done else None


@dataclass(frozen=True, slots=True)
class ConnectionOutcomes:
    connection_id: str
    provider: str
    buckets: tuple[Outcomes, ...]

    @property
    def succeeded(self) -> int:
        return sum(bucket.succeeded for bucket in self.buckets)

    @property
    def failed(self) -> int:
        return sum(bucket.failed for bucket in self.buckets)

    @property
    def rate(self) -> float | None:
        """Over the whole span; None when nothing finished."""
        done = self.succeeded + self.failed
        return success_rate(self.succeeded, done) if done else None


@dataclass(frozen=True, slots=True)
class Lag:
    """How long the sales of one bucket took from reaching tillsync to the warehouse taking
    them; None with no sale in the bucket."""

    start: dt.datetime
    sales: int
    median_seconds: float | None
    p95_seconds: float | None


@dataclass(frozen=True, slots=True)
class WarehouseLag:
    connection_id: str
    provider: str
    buckets: tuple[Lag, ...]
    sales: int
    within_target: int
    """Of the sales, those that arrived within `LAG_TARGET_SECONDS`."""


async def sync_outcomes(
    uows: UnitsOfWork, tenant_id: str, span: Span
) -> tuple[ConnectionOutcomes, ...]:
    """Every connection of the tenant, disconnected ones too, with its outcomes per bucket."""
    outcome_at = func.coalesce(batch_job.completed_at, Job.completed_at)
    query = (
        select(Job.connection_id, shown_state, outcome_at)
        .select_from(Job)
        .outerjoin(batch_job, batch_joined)
        .where(
            Job.tenant_id == tenant_id,
            Job.connection_id.is_not(None),
            shown_state.in_(("success", "failed")),
            outcome_at >= span.start,
            outcome_at < span.end,
        )
    )
    async with uows.read() as session:
        connections = await _connections(session, tenant_id)
        rows = (await session.execute(query)).all()
    counts = {cid: ([0] * len(span.starts), [0] * len(span.starts)) for cid, _ in connections}
    for connection_id, state, when in rows:
        index = span.index(_aware(when))
        if index is None or connection_id not in counts:
            continue
        counts[connection_id][0 if state == "success" else 1][index] += 1
    return tuple(
        ConnectionOutcomes(
            connection_id=cid,
            provider=provider,
            buckets=tuple(
                Outcomes(start, good, bad)
                for start, good, bad in zip(span.starts, *counts[cid], strict=True)
            ),
        )
        for cid, provider in connections
    )


async def warehouse_lag(uows: UnitsOfWork, tenant_id: str, span: Span) -> tuple[WarehouseLag, ...]:
    """Per connection that took sales: each pushed sale's wait, from the sale's arrival to the
    success of its push (or of the batch that carried it)."""
    outcome_at = func.coalesce(batch_job.completed_at, Job.completed_at)
    query = (
        select(Job.connection_id, Sale.created_at, outcome_at)
        .select_from(Job)
        .outerjoin(batch_job, batch_joined)
        .join(
            Sale,
            and_(
                Sale.id == func.substr(Job.subject, len(SALE_SUBJECT) + 1),
                Sale.tenant_id == Job.tenant_id,
            ),
        )
        .where(
            Job.tenant_id == tenant_id,
            Job.kind.endswith(f".{PUSH_SALE}"),
            Job.subject.startswith(SALE_SUBJECT),
            shown_state == "success",
            outcome_at >= span.start,
            outcome_at < span.end,
        )
    )
    async with uows.read() as session:
        connections = await _connections(session, tenant_id)
        rows = (await session.execute(query)).all()
    waits: dict[str, list[list[float]]] = {}
    for connection_id, sold_at, pushed_at in rows:
        index = span.index(_aware(pushed_at))
        if index is None or connection_id is None:
            continue
        buckets = waits.setdefault(connection_id, [[] for _ in span.starts])
        buckets[index].append(max((_aware(pushed_at) - _aware(sold_at)).total_seconds(), 0.0))
    return tuple(
        _lag(cid, provider, span, waits[cid]) for cid, provider in connections if cid in waits
    )


def percentile(values: Sequence[float], percent: int) -> float:
    """The nearest-rank percentile: the smallest value at least `percent` % are at or under."""
    ordered = sorted(values)
    return ordered[max(math.ceil(percent / 100 * len(ordered)) - 1, 0)]


def _lag(connection_id: str, provider: str, span: Span, waits: list[list[float]]) -> WarehouseLag:
    buckets = tuple(
        Lag(
            start=start,
            sales=len(found),
            median_seconds=statistics.median(found) if found else None,
            p95_seconds=percentile(found, LAG_PERCENTILE) if found else None,
        )
        for start, found in zip(span.starts, waits, strict=True)
    )
    every = [wait for found in waits for wait in found]
    return WarehouseLag(
        connection_id=connection_id,
        provider=provider,
        buckets=buckets,
        sales=len(every),
        within_target=sum(1 for wait in every if wait < LAG_TARGET_SECONDS),
    )


async def _connections(session: AsyncSession, tenant_id: str) -> list[tuple[str, str]]:
    rows = await session.execute(
        select(Connection.id, Connection.provider)
        .where(Connection.tenant_id == tenant_id)
        .order_by(Connection.provider, Connection.id)
    )
    return [(cid, provider) for cid, provider in rows]


def _aware(when: dt.datetime) -> dt.datetime:
    """A computed column (`coalesce`) skips the column type: SQLite gives it back naive, or
    as text."""
    if isinstance(when, str):
        when = dt.datetime.fromisoformat(when)
    return when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)
