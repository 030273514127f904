"""Charts drawn on the server as inline SVG: lines over time with a target, bars against a limit.

Pure: values in, markup out, nothing read or fetched. Colours come from the dashboard's CSS
by class (`series-0`, `target`, `bar-warn`…), so the page's Content-Security-Policy needs no
inline style. Each point carries its figure as a `<title>`, which a browser shows on hover
and a screen reader reads; a chart with nothing to draw says so instead of drawing zeros.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 720
HEIGHT = 260
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 36, 28
"""The plot's margins: room for the value axis, the legend above and the time axis below."""
X_LABELS = 7
Y_TICKS = 4
BAR_ROW = 34
BAR_LABEL = 150
BAR_NOTE = 190
NO_DATA = "No data yet"


@dataclass(frozen=True, slots=True)
class Point:
    at: dt.datetime
    value: float | None
    """None: nothing to show for that moment (a gap in the line, not a zero)."""


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    points: tuple[Point, ...]


@dataclass(frozen=True, slots=True)
class Target:
    value: float
    label: str


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float
    limit: float
    note: str


@dataclass(frozen=True, slots=True)
class Scale:
    """From values to the plot's pixels: time left to right, 0 … `top` bottom to top."""

    start: dt.datetime
    end: dt.datetime
    top: float

    def x(self, when: dt.datetime) -> float:
        span = (self.end - self.start).total_seconds()
        share = (when - self.start).total_seconds() / span if span > 0 else 0.0
        return LEFT + share * (WIDTH - LEFT - RIGHT)

    def y(self, value: float) -> float:
        share = min(max(value / self.top, 0.0), 1.0) if self.top > 0 else 0.0
        return HEIGHT - BOTTOM - share * (HEIGHT - TOP - BOTTOM)


def nice_top(value: float) -> float:
    """The smallest 1, 2 or 5 × 10ⁿ at or above `value` (1 for nothing): a round axis."""
    if value <= 0 or not math.isfinite(value):
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def shown(value: float, unit: str) -> str:
    """A figure with its unit: `96.5 %`, `4.2 s`, `3.5 min`, `2 h`."""
    if unit == "%":
        return f"{value:.1f} %"
    if unit == "s":
        for size, name in ((3600, "h"), (60, "min")):
            if value >= 2 * size:
                return f"{value / size:.3g} {name}"
        return f"{value:.3g} s"
    return f"{value:g} {unit}".strip()


def line_chart(
    series: Sequence[Series],
    *,
    title: str,
    start: dt.datetime,
    end: dt.datetime,
    step: dt.timedelta,
    unit: str,
    top: float | None = None,
    target: Target | None = None,
    empty: str = NO_DATA,
) -> Markup:
    """Each series a line over [start, end]; the value axis from 0 to `top` (by default a
    round figure above the highest value and the target)."""
    values = [p.value for s in series for p in s.points if p.value is not None]
    highest = max([*values, target.value if target else 0.0], default=0.0)
    scale = Scale(start, end, top if top is not None else nice_top(highest * 1.1))
    parts = [
        _open(title, WIDTH, HEIGHT),
        _value_axis(scale, unit),
        _time_axis(scale, step),
        _legend([s.name for s in series], target),
    ]
    if target is not None:
        parts.append(_target(scale, target, unit))
    if values:
        parts += [_line(scale, s, index, unit) for index, s in enumerate(series)]
    else:
        parts.append(_empty(empty, WIDTH / 2, (TOP + HEIGHT - BOTTOM) / 2))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text in it went through escape)


def bar_chart(bars: Sequence[Bar], *, title: str, empty: str = NO_DATA) -> Markup:
    """One bar per row, its share of its own limit; the limit is the line at the right end."""
    height = TOP + max(len(bars), 1) * BAR_ROW + BOTTOM
    left, right = BAR_LABEL, WIDTH - BAR_NOTE
    parts = [_open(title, WIDTH, height)]
    for row, bar in enumerate(bars):
        y = TOP + row * BAR_ROW
        share = min(bar.value / bar.limit, 1.0) if bar.limit > 0 else 0.0
        level = "bad" if share >= 0.85 else "warn" if share >= 0.6 else "ok"
        text = f"{bar.label}: {bar.note}"
        parts.append(
            f'<g class="bar-row"><title>{escape(text)}</title>'
            f'<text class="label" x="{left - 8}" y="{y + 20}" text-anchor="end">'
            f"{escape(bar.label)}</text>"
            f'<rect class="track" x="{left}" y="{y + 6}" width="{right - left}" height="20"/>'
            f'<rect class="bar bar-{level}" x="{left}" y="{y + 6}" '
            f'width="{share * (right - left):.1f}" height="20"/>'
            f'<text class="note" x="{right + 8}" y="{y + 20}">{escape(bar.note)}</text></g>'
        )
    if bars:
        bottom = TOP + len(bars) * BAR_ROW
        parts.append(
            f'<line class="limit" x1="{right}" x2="{right}" y1="{TOP}" y2="{bottom}"/>'
            f'<text class="axis" x="{right}" y="{bottom + 16}" text-anchor="middle">limit</text>'
        )
    else:
        parts.append(_empty(empty, WIDTH / 2, TOP + BAR_ROW / 2 + 4))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text in it went through escape)


def _open(title: str, width: int, height: int) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    )


def _value_axis(scale: Scale, unit: str) -> str:
    parts = []
    for tick in range(Y_TICKS + 1):
        value = scale.top * tick / Y_TICKS
        y = scale.y(value)
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="axis" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(_tick(value, unit))}</text>"
        )
    return "".join(parts)


def _tick(value: float, unit: str) -> str:
    """An axis figure: `75 %` rather than `75.0 %`."""
    return f"{value:g} %" if unit == "%" else shown(value, unit)


def _time_axis(scale: Scale, step: dt.timedelta) -> str:
    buckets = max(1, round((scale.end - scale.start) / step))
    every = math.ceil(buckets / (X_LABELS - 1)) if buckets >= X_LABELS else 1
    daily = scale.end - scale.start > dt.timedelta(days=2)
    parts = []
    for index in range(0, buckets + 1, every):
        when = scale.start + index * step
        x = scale.x(when)
        label = f"{when:%d %b}" if daily else f"{when:%H:%M}"
        parts.append(
            f'<line class="tick" x1="{x:.1f}" x2="{x:.1f}" y1="{HEIGHT - BOTTOM}" '
            f'y2="{HEIGHT - BOTTOM + 4}"/>'
            f'<text class="axis" x="{x:.1f}" y="{HEIGHT - BOTTOM + 17}" text-anchor="middle">'
            f"{label}</text>"
        )
    return "".join(parts)


def _legend(names: Sequence[str], target: Target | None) -> str:
    parts, x = [], float(LEFT)
    entries = [(f"series-{index}", name) for index, name in enumerate(names)]
    if target is not None:
        entries.append(("target", target.label))
    for kind, name in entries:
        parts.append(
            f'<g class="legend {kind}"><line x1="{x:.0f}" x2="{x + 18:.0f}" y1="14" y2="14"/>'
            f'<text x="{x + 24:.0f}" y="18">{escape(name)}</text></g>'
        )
        x += 40 + 7 * len(name)
    return "".join(parts)


def _target(scale: Scale, target: Target, unit: str) -> str:
    y = scale.y(target.value)
    return (
        f'<line class="target" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}">'
        f"<title>{escape(target.label)}: {escape(shown(target.value, unit))}</title></line>"
    )


def _line(scale: Scale, series: Series, index: int, unit: str) -> str:
    """Consecutive points joined; a point with no value breaks the line."""
    runs: list[list[str]] = [[]]
    dots = []
    for point in series.points:
        if point.value is None:
            runs.append([])
            continue
        x, y = scale.x(point.at), scale.y(point.value)
        runs[-1].append(f"{x:.1f},{y:.1f}")
        tip = f"{series.name}, {point.at:%d %b %H:%M} UTC: {shown(point.value, unit)}"
        dots.append(
            f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="3">'
            f"<title>{escape(tip)}</title></circle>"
        )
    lines = [f'<polyline class="line" points="{" ".join(run)}"/>' for run in runs if len(run) > 1]
    return f'<g class="series series-{index}">{"".join(lines)}{"".join(dots)}</g>'


def _empty(text: str, x: float, y: float) -> str:
    return f'<text class="empty" x="{x:.0f}" y="{y:.0f}" text-anchor="middle">{escape(text)}</text>'
