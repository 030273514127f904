"""The stats' time steps and figures: aligned steps, the nearest-rank percentile, no rate of 0
for a step where nothing finished."""

import datetime as dt

import pytest

from tillsync.services.trends import Outcomes, Span, percentile, span_ending

NOW = dt.datetime(2026, 3, 1, 9, 47, 12, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("length", "step", "start", "end"),
    [
        (dt.timedelta(hours=1), dt.timedelta(minutes=5), "08:50", "09:50"),
        (dt.timedelta(hours=24), dt.timedelta(hours=1), "10:00", "10:00"),
    ],
)
def test_a_span_is_whole_steps_ending_with_the_one_holding_now(
    length: dt.timedelta, step: dt.timedelta, start: str, end: str
) -> None:
    span = span_ending(NOW, length=length, step=step)
    assert (f"{span.start:%H:%M}", f"{span.end:%H:%M}") == (start, end)
    assert span.end - span.start == length
    assert span.index(NOW) == len(span.starts) - 1


def test_days_are_whole_utc_days() -> None:
    span = span_ending(NOW, length=dt.timedelta(days=7), step=dt.timedelta(days=1))
    assert span.start == dt.datetime(2026, 2, 23, tzinfo=dt.UTC)
    assert len(span.starts) == 7


def test_a_moment_outside_the_span_has_no_step() -> None:
    span = Span(NOW, NOW + dt.timedelta(hours=1), dt.timedelta(minutes=30))
    assert span.index(NOW) == 0
    assert span.index(NOW + dt.timedelta(minutes=30)) == 1
    assert span.index(NOW - dt.timedelta(seconds=1)) is None
    assert span.index(NOW + dt.timedelta(hours=1)) is None  # the end is not in it


@pytest.mark.parametrize(
    ("values", "percent", "expected"),
    [
        ([4.0], 95, 4.0),
        ([2.0, 4.0, 30.0], 95, 30.0),
        ([2.0, 4.0, 30.0], 50, 4.0),
        ([float(n) for n in range(1, 101)], 95, 95.0),
        ([float(n) for n in range(1, 21)], 95, 19.0),
    ],
)
def test_the_percentile_is_the_nearest_rank(
    values: list[float], percent: int, expected: float
) -> None:
    assert percentile(values, percent) == expected


@pytest.mark.parametrize(
    ("succeeded", "failed", "rate"), [(0, 0, None), (3, 1, 75.0), (0, 2, 0.0), (29, 1, 96.7)]
)
def test_a_step_has_a_rate_only_when_something_finished(
    succeeded: int, failed: int, rate: float | None
) -> None:
    assert Outcomes(NOW, succeeded, failed).rate == rate
