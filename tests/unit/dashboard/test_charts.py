"""The SVG charts: values placed on the right pixels, the target where it belongs, gaps kept,
and nothing to draw said plainly."""

import datetime as dt
import re

import pytest

from tillsync.dashboard import charts
from tillsync.dashboard.charts import (
    BOTTOM,
    HEIGHT,
    LEFT,
    RIGHT,
    TOP,
    WIDTH,
    Bar,
    Point,
    Scale,
    Series,
    Target,
    bar_chart,
    line_chart,
    nice_top,
    shown,
)

START = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)
END = START + 4 * HOUR


def _chart(*series: Series, target: Target | None = None, top: float | None = 100.0) -> str:
    return str(
        line_chart(
            series,
            title="Sync success rate",
            start=START,
            end=END,
            step=HOUR,
            unit="%",
            top=top,
            target=target,
        )
    )


def _floats(text: str, pattern: str) -> list[float]:
    return [float(value) for value in re.findall(pattern, text)]


@pytest.mark.parametrize(
    ("when", "x"),
    [(START, LEFT), (END, WIDTH - RIGHT), (START + 2 * HOUR, (LEFT + WIDTH - RIGHT) / 2)],
)
def test_time_runs_left_to_right_across_the_plot(when: dt.datetime, x: float) -> None:
    assert Scale(START, END, 100).x(when) == pytest.approx(x)


@pytest.mark.parametrize(
    ("value", "y"),
    [
        (0, HEIGHT - BOTTOM),
        (100, TOP),
        (50, (TOP + HEIGHT - BOTTOM) / 2),
        (150, TOP),  # above the axis: drawn at its top, not outside the chart
        (-5, HEIGHT - BOTTOM),
    ],
)
def test_values_rise_from_the_bottom_of_the_plot(value: float, y: float) -> None:
    assert Scale(START, END, 100).y(value) == pytest.approx(y)


def test_the_target_line_is_drawn_at_its_value() -> None:
    text = _chart(target=Target(95.0, "target > 95 %"))
    found = re.search(r'<line class="target" x1="\d+" x2="\d+" y1="([\d.]+)" y2="([\d.]+)"', text)
    assert found is not None
    y1, y2 = float(found.group(1)), float(found.group(2))
    expected = HEIGHT - BOTTOM - 0.95 * (HEIGHT - TOP - BOTTOM)
    assert y1 == y2 == pytest.approx(expected, abs=0.05)
    assert "target &gt; 95 %: 95.0 %" in text
    assert ">75 %</text>" in text  # the axis in round figures
    assert 'class="legend target"' in text


def test_the_axis_reaches_above_the_target_when_the_values_stay_under_it() -> None:
    lag = Series("lag", (Point(START + HOUR / 2, 3.0),))
    text = str(
        line_chart(
            [lag],
            title="Lag",
            start=START,
            end=END,
            step=HOUR,
            unit="s",
            target=Target(10.0, "target"),
        )
    )
    assert '<text class="axis" x="58" y="40.0" text-anchor="end">20 s</text>' in text


def test_each_point_sits_on_its_time_and_value_and_names_its_figure() -> None:
    series = Series("CIN7", (Point(START + HOUR / 2, 50.0), Point(START + 3.5 * HOUR, 100.0)))
    text = _chart(series)
    xs = _floats(text, r'<circle class="point" cx="([\d.]+)"')
    ys = _floats(text, r'<circle class="point" cx="[\d.]+" cy="([\d.]+)"')
    plot = WIDTH - LEFT - RIGHT
    assert xs == pytest.approx([LEFT + plot / 8, LEFT + plot * 7 / 8], abs=0.05)
    assert ys == pytest.approx([(TOP + HEIGHT - BOTTOM) / 2, TOP], abs=0.05)
    assert "<title>CIN7, 01 Mar 00:30 UTC: 50.0 %</title>" in text


def test_a_step_without_a_value_breaks_the_line_instead_of_dropping_to_zero() -> None:
    points = (
        Point(START, 90.0),
        Point(START + HOUR, 96.0),
        Point(START + 2 * HOUR, None),
        Point(START + 3 * HOUR, 99.0),
        Point(START + 4 * HOUR, 97.0),
    )
    text = _chart(Series("CIN7", points))
    assert text.count("<polyline") == 2
    assert text.count('class="point"') == 4
    assert f'{HEIGHT - BOTTOM:.1f}"' not in text.split('class="series series-0"', 1)[1]


@pytest.mark.parametrize(
    "series",
    [(), (Series("CIN7", ()),), (Series("CIN7", (Point(START, None), Point(END, None))),)],
)
def test_no_data_is_said_plainly_and_nothing_is_drawn(series: tuple[Series, ...]) -> None:
    text = str(
        line_chart(
            series,
            title="Sync success rate",
            start=START,
            end=END,
            step=HOUR,
            unit="%",
            top=100.0,
            target=Target(95.0, "target"),
            empty="No job has finished in this period yet",
        )
    )
    assert ">No job has finished in this period yet</text>" in text
    assert "<polyline" not in text
    assert "<circle" not in text
    assert 'class="target"' in text  # the goal is still shown


def test_names_are_escaped() -> None:
    text = _chart(Series("<script>alert(1)</script>", (Point(START, 1.0),)))
    assert "<script>" not in text
    assert "&lt;script&gt;" in text


def test_the_time_axis_labels_whole_steps_and_days_for_long_spans() -> None:
    text = _chart()
    assert re.findall(r">(\d\d:\d\d)</text>", text) == [
        "00:00",
        "01:00",
        "02:00",
        "03:00",
        "04:00",
    ]
    week = str(
        line_chart(
            [],
            title="t",
            start=START,
            end=START + dt.timedelta(days=7),
            step=dt.timedelta(hours=6),
            unit="%",
        )
    )
    labels = re.findall(r">(\d\d \w\w\w)</text>", week)
    assert labels[0] == "01 Mar"
    assert len(labels) <= charts.X_LABELS


@pytest.mark.parametrize(
    ("value", "top"),
    [(0, 1), (-3, 1), (0.7, 1), (1, 1), (1.1, 2), (3, 5), (7, 10), (11, 20), (420, 500)],
)
def test_the_value_axis_ends_on_a_round_figure(value: float, top: float) -> None:
    assert nice_top(value) == pytest.approx(top)


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [(96.66, "%", "96.7 %"), (4.25, "s", "4.25 s"), (90, "s", "90 s"), (210, "s", "3.5 min")],
)
def test_figures_are_shown_with_their_unit(value: float, unit: str, text: str) -> None:
    assert shown(value, unit) == text


def test_bars_fill_their_share_of_the_limit() -> None:
    text = str(
        bar_chart(
            [
                Bar("CIN7", 30, 60, "30 / 60 calls per 60 s"),
                Bar("CRM", 90, 60, "90 / 60 calls per 60 s"),
            ],
            title="Rate budget",
        )
    )
    track = WIDTH - charts.BAR_NOTE - charts.BAR_LABEL
    widths = _floats(text, r'<rect class="bar bar-\w+" x="\d+" y="\d+" width="([\d.]+)"')
    assert widths == pytest.approx([track / 2, track], abs=0.05)  # over the limit: full, no more
    assert 'class="bar bar-ok"' in text
    assert 'class="bar bar-bad"' in text
    assert ">30 / 60 calls per 60 s</text>" in text


def test_no_bars_say_so() -> None:
    text = str(bar_chart([], title="Rate budget", empty="No connection yet"))
    assert ">No connection yet</text>" in text
    assert "<rect" not in text
