"""Stats: charts of each connection's sync success rate and the warehouse's lag over a chosen
period, each against seed 004's target, and each connection's rate-budget use now."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from tillsync.api.deps import HubDep
from tillsync.api.state import health_cache
from tillsync.dashboard import charts
from tillsync.dashboard.auth import PageViewerDep
from tillsync.dashboard.rendering import Page, page
from tillsync.services.connections.health import ConnectionHealth
from tillsync.services.trends import (
    LAG_PERCENTILE,
    LAG_TARGET_SECONDS,
    SUCCESS_TARGET_PERCENT,
    ConnectionOutcomes,
    Span,
    WarehouseLag,
    span_ending,
    sync_outcomes,
    warehouse_lag,
)

PAGE = Page("Stats", "/stats")
router = APIRouter(include_in_schema=False)
RangeName = Literal["1h", "24h", "7d", "30d"]


@dataclass(frozen=True, slots=True)
class Range:
    label: str
    length: dt.timedelta
    step: dt.timedelta
    every: str
    """The step in words."""


RANGES: Mapping[str, Range] = {
    "1h": Range("Last hour", dt.timedelta(hours=1), dt.timedelta(minutes=5), "5 minutes"),
    "24h": Range("Last 24 hours", dt.timedelta(hours=24), dt.timedelta(hours=1), "an hour"),
    "7d": Range("Last 7 days", dt.timedelta(days=7), dt.timedelta(hours=6), "6 hours"),
    "30d": Range("Last 30 days", dt.timedelta(days=30), dt.timedelta(days=1), "a day"),
}
DEFAULT_RANGE: RangeName = "7d"
"""Seed 004's sellers check their sync stats weekly."""


def success_chart(
    found: tuple[ConnectionOutcomes, ...], span: Span, title: Callable[[str], str]
) -> Markup:
    return charts.line_chart(
        [
            charts.Series(
                title(c.provider),
                tuple(charts.Point(b.start + span.step / 2, b.rate) for b in c.buckets),
            )
            for c in found
        ],
        title="Sync success rate per connection",
        start=span.start,
        end=span.end,
        step=span.step,
        unit="%",
        top=100.0,
        target=charts.Target(SUCCESS_TARGET_PERCENT, f"target > {SUCCESS_TARGET_PERCENT:g} %"),
        empty="No job has finished in this period yet",
    )


def lag_chart(found: tuple[WarehouseLag, ...], span: Span, title: Callable[[str], str]) -> Markup:
    series = []
    for lag in found:
        name = title(lag.provider)
        middle = span.step / 2
        series += [
            charts.Series(
                f"{name}, {LAG_PERCENTILE}th percentile",
                tuple(charts.Point(b.start + middle, b.p95_seconds) for b in lag.buckets),
            ),
            charts.Series(
                f"{name}, median",
                tuple(charts.Point(b.start + middle, b.median_seconds) for b in lag.buckets),
            ),
        ]
    return charts.line_chart(
        series,
        title="Time for a sale to reach the warehouse",
        start=span.start,
        end=span.end,
        step=span.step,
        unit="s",
        target=charts.Target(
            LAG_TARGET_SECONDS, f"target < {LAG_TARGET_SECONDS:g} s for {LAG_PERCENTILE} %"
        ),
        empty="No sale has reached the warehouse in this period yet",
    )


def budget_chart(healths: list[tuple[str, ConnectionHealth]]) -> Markup:
    bars = [
        charts.Bar(
            label=title,
            value=rate.used,
            limit=rate.limit,
            note=f"{rate.used} / {rate.limit} calls per {rate.window_seconds:g} s"
            + (f", {rate.denied} deferred" if rate.denied else ""),
        )
        for title, health in healths
        if (rate := health.rate_budget) is not None
    ]
    return charts.bar_chart(
        bars, title="Rate-budget use now", empty="No connection with a rate budget yet"
    )


@router.get(PAGE.path, response_class=HTMLResponse)
async def stats(
    request: Request,
    hub: HubDep,
    viewer: PageViewerDep,
    range_name: Annotated[RangeName, Query(alias="range")] = DEFAULT_RANGE,
) -> HTMLResponse:
    chosen = RANGES[range_name]
    span = span_ending(hub.uows.clock.now(), length=chosen.length, step=chosen.step)
    titles = {provider.name: provider.title for provider in hub.services.providers}

    def title(name: str) -> str:
        return titles.get(name, name)

    outcomes = await sync_outcomes(hub.uows, viewer.tenant_id, span)
    lags = await warehouse_lag(hub.uows, viewer.tenant_id, span)
    healths = [
        (p.title, await health_cache(request, p.name).get(hub.services, viewer.tenant_id))
        for p in hub.services.providers
    ]
    return await page(
        request,
        "stats.html",
        viewer,
        current=PAGE,
        ranges=RANGES,
        range_name=range_name,
        span=span,
        title=title,
        outcomes=outcomes,
        lags=lags,
        success_target=SUCCESS_TARGET_PERCENT,
        lag_target=LAG_TARGET_SECONDS,
        success_svg=success_chart(outcomes, span, title),
        lag_svg=lag_chart(lags, span, title),
        budget_svg=budget_chart(healths),
    )
