"""Typed shapes of the API's success answers, as the OpenAPI document shows them.

Client apps depend on each answer's keys, their case and its numbers, so answers are built
as plain JSON (from a service's typed value, by the function beside the answer's model) and
these models describe them rather than build them: a route names its model in `responses=`
with `ok()`. The document tests and the fuzzing test
check every answer against them; keys are named exactly as on the wire.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class Answer(BaseModel):
    """An answer's keys are all listed: any other key is a change to the document."""

    model_config = ConfigDict(extra="forbid")


def ok(model: Any, *, status: int = 200, description: str = "Done") -> dict[int | str, Any]:
    """`responses=` entry for the success answer (routes set `response_model=None`)."""
    return {status: {"model": model, "description": description}}
