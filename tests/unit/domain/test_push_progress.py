"""Where a push resumes: its checkpoint, in today's keys or in those stored before them."""

from typing import Any

import pytest

from tillsync.domain.pushes import Progress, in_order, progress_of

STEPS = ("sale", "order", "invoice")


@pytest.mark.parametrize(
    ("checkpoint", "expected"),
    [
        ({}, Progress(None, frozenset())),
        ({"batch_job_id": "j"}, Progress(None, frozenset())),
        ({"external_id": "S-1"}, Progress("S-1", frozenset({"sale"}))),
        (
            {"external_id": "S-1", "steps_done": ["sale", "order"]},
            Progress("S-1", frozenset({"sale", "order"})),
        ),
        ({"steps_done": ["shipped"]}, Progress(None, frozenset())),
        # Stored before issue 11: the provider's own id key, and the steps by their effect.
        ({"acme_sale_id": "S-1"}, Progress("S-1", frozenset({"sale"}))),
        (
            {"acme_sale_id": "S-1", "order_authorised": True},
            Progress("S-1", frozenset({"sale", "order"})),
        ),
        (
            {"acme_sale_id": "S-1", "order_authorised": True, "invoiced": True},
            Progress("S-1", frozenset(STEPS)),
        ),
        ({"other_sale_id": "S-1"}, Progress(None, frozenset())),
    ],
)
def test_progress_is_read_from_the_checkpoint(
    checkpoint: dict[str, Any], expected: Progress
) -> None:
    assert progress_of(checkpoint, provider="acme", steps=STEPS, stock_step="order") == expected


def test_legacy_stock_key_means_the_warehouse_s_stock_step() -> None:
    progress = progress_of(
        {"acme_sale_id": "S-1", "order_authorised": True},
        provider="acme",
        steps=("draft", "post", "ship"),
        stock_step="ship",
    )
    assert progress.steps_done == {"draft", "ship"}


def test_done_steps_are_kept_in_the_warehouse_s_order() -> None:
    assert in_order(STEPS, frozenset({"invoice", "sale"})) == ["sale", "invoice"]
