"""What the sales pages show: times to come, amounts, a sale's address, its attempts' story."""

import datetime as dt
from decimal import Decimal

import pytest

from tillsync.dashboard.pages.sales import money, sale_path, until
from tillsync.services.history import Attempt
from tillsync.services.sale_detail import runs_of

NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("seconds", "said"),
    [
        (None, "not scheduled"),
        (-30, "due now"),
        (0, "due now"),
        (4, "in 4 s"),
        (59, "in 59 s"),
        (60, "in 1 min"),
        (270, "in 4 min"),
        (7_300, "in 2 h"),
    ],
)
def test_a_retry_to_come_is_said_from_now(seconds: int | None, said: str) -> None:
    when = None if seconds is None else NOW + dt.timedelta(seconds=seconds)
    assert until(when, NOW) == said


@pytest.mark.parametrize(
    ("amount", "currency", "said"),
    [
        (Decimal("29.99"), "USD", "29.99 USD"),
        (Decimal("19"), None, "19.00"),
        (Decimal("1234.5"), "AUD", "1,234.50 AUD"),
        (Decimal("9.5000"), None, "9.50"),  # as a stored amount comes back
    ],
)
def test_amounts_have_two_places(amount: Decimal, currency: str | None, said: str) -> None:
    assert money(amount, currency) == said


@pytest.mark.parametrize(
    ("sale_id", "path"),
    [
        ("POS_1642878934567_abc123", "/sales/POS_1642878934567_abc123"),
        ("till 2/0042?x#y", "/sales/till%202%2F0042%3Fx%23y"),
    ],
)
def test_a_sales_address_keeps_its_id_in_one_segment(sale_id: str, path: str) -> None:
    assert sale_path(sale_id) == path


def _attempt(number: int, outcome: str | None, minute: int) -> Attempt:
    started = NOW + dt.timedelta(minutes=minute)
    return Attempt(
        number=number,
        worker="w",
        started_at=started,
        finished_at=None if outcome is None else started,
        outcome=outcome,
        error=None,
    )


@pytest.mark.parametrize(
    ("attempts", "after_retry"),
    [
        ([(1, "retryable"), (2, "retryable"), (3, "success")], [False, False, False]),
        ([(1, "permanent"), (1, "success")], [False, True]),  # put back by an operator
        ([(1, "deferred"), (1, "success")], [False, False]),  # the budget: no attempt spent
        (
            [(1, "retryable"), (2, "permanent"), (1, "retryable"), (2, "success")],
            [False, False, True, False],
        ),
        ([(1, None), (2, "success")], [False, False]),  # a worker stopped mid-attempt
    ],
)
def test_an_attempt_after_an_operators_retry_is_told_apart(
    attempts: list[tuple[int, str | None]], after_retry: list[bool]
) -> None:
    made = [_attempt(number, outcome, i) for i, (number, outcome) in enumerate(attempts)]
    runs = runs_of(made, batch=False, running=False)
    assert [run.after_retry for run in runs] == after_retry


@pytest.mark.parametrize("running", [True, False])
def test_only_the_last_open_attempt_of_a_running_job_is_running(running: bool) -> None:
    runs = runs_of([_attempt(1, None, 0), _attempt(2, None, 1)], batch=True, running=running)
    assert [run.running for run in runs] == [False, running]
    assert runs[1].label == "Batch attempt"
