"""The error body of every 4xx answer, `{error, message, field}`, as the document shows it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class FieldProblem(BaseModel):
    field: str = Field(description="The field at fault, such as items[0].quantity")
    problem: str


class Problem(BaseModel):
    """Some errors add keys of their own (a refused hold adds `sku` and `success: false`)."""

    model_config = ConfigDict(extra="allow")

    error: str = Field(description="What went wrong, as a code: invalid_input, not_found, …")
    message: str = Field(description="For people; it never carries a secret")
    field: str | None = Field(
        default=None, description="The field, parameter or header at fault, when one is"
    )
    errors: list[FieldProblem] | None = Field(
        default=None, description="With invalid input: every problem found, the first first"
    )


class PullConflict(Problem):
    runId: str | None = Field(description="The run already queued or running")  # noqa: N815
    jobId: str  # noqa: N815


def problems(described: dict[int, str]) -> dict[int | str, Any]:
    """`responses=` entries for the errors a route answers besides the ones every route has.

    The document gives each the `Problem` schema (see `api.openapi`).
    """
    return {status: {"description": text} for status, text in described.items()}
