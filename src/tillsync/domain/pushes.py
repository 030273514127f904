"""How far a sale document's push got: the warehouse's id for it and the steps it has done."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

LEGACY_STOCK_STEP = "order_authorised"
LEGACY_LAST_STEP = "invoiced"


@dataclass(frozen=True, slots=True)
class Progress:
    external_id: str | None
    steps_done: frozenset[str]


def progress_of(
    checkpoint: Mapping[str, Any], *, provider: str, steps: Sequence[str], stock_step: str
) -> Progress:
    """A push's progress from its job's checkpoint: `external_id` and `steps_done`.

    Pushes checkpointed before these keys wrote `<provider>_sale_id` (the id the first step
    answered), `order_authorised` (the stock step, confirmed) and `invoiced` (the last
    step): a job stored that way resumes where it stopped. The first step is done once its
    id is known.
    """
    external_id = checkpoint.get("external_id") or checkpoint.get(f"{provider}_sale_id")
    done = {step for step in checkpoint.get("steps_done", ()) if step in steps}
    if external_id and steps:
        done.add(steps[0])
    if checkpoint.get(LEGACY_STOCK_STEP):
        done.add(stock_step)
    if checkpoint.get(LEGACY_LAST_STEP) and steps:
        done.add(steps[-1])
    return Progress(str(external_id) if external_id else None, frozenset(done))


def in_order(steps: Sequence[str], done: frozenset[str]) -> list[str]:
    """The done steps as a checkpoint keeps them: in the warehouse's order."""
    return [step for step in steps if step in done]
