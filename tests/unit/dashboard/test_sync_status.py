"""Seed 002's "needs sync": an entity polled by pulls, older than its window or never synced."""

import datetime as dt

import pytest

from tillsync.services.sync.status import EntityStatus

WINDOW = dt.timedelta(minutes=15)


@pytest.mark.parametrize(
    ("age_minutes", "stale_after", "needs"),
    [
        (None, WINDOW, True),  # never synced
        (0, WINDOW, False),
        (14, WINDOW, False),
        (15, WINDOW, True),  # as old as the window: the schedule would pull it now
        (90, WINDOW, True),
        (None, None, False),  # webhooks deliver it: nothing polls it
        (10_000, None, False),
    ],
)
def test_an_entity_needs_a_sync_once_older_than_its_window(
    age_minutes: int | None, stale_after: dt.timedelta | None, needs: bool
) -> None:
    status = EntityStatus(
        entity="catalog",
        last_sync_at=None,
        last_status=None,
        age_minutes=age_minutes,
        stale_after=stale_after,
    )
    assert status.needs_sync is needs
