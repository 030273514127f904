"""When a failed job runs again, by outcome class."""

import random

import pytest

from tillsync.domain.retry import RetryPolicy


@pytest.mark.parametrize(
    ("outcome", "attempts", "hint", "expected"),
    [
        ("retryable", 1, None, 2.0),
        ("retryable", 2, None, 5.0),
        ("retryable", 12, None, 300.0),
        ("retryable", 13, None, None),
        ("permanent", 1, None, None),
        ("auth", 1, None, None),
        ("throttled", 1, 42.0, 42.0),
    ],
)
def test_next_delay(
    outcome: str, attempts: int, hint: float | None, expected: float | None
) -> None:
    assert RetryPolicy().next_delay(outcome=outcome, attempts=attempts, wait_hint=hint) == expected


def test_throttling_backs_off_exponentially_within_bounds() -> None:
    policy = RetryPolicy(throttle_base=5, throttle_cap=300, rng=random.Random(7))
    for attempts in range(1, 30):
        delay = policy.next_delay(outcome="throttled", attempts=attempts)
        ceiling = min(300, 5 * 2 ** (attempts - 1))
        assert delay is not None
        assert 5 <= delay <= max(ceiling, 5)


def test_throttling_gives_up_after_its_limit() -> None:
    policy = RetryPolicy(max_throttles=3)
    assert policy.next_delay(outcome="throttled", attempts=4) is None
