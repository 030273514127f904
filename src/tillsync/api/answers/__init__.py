"""Typed shapes of the API's success answers, as the OpenAPI document shows them.

Services return typed values; the API writes them as JSON. Client apps depend on an
answer's keys, their case and its numbers, so the models here describe the answers rather
than build them (a route names its model in `responses=` with `ok()`), and beside a model
stands the one function that writes its answer from the service's value, used by every
route that shows it. The document tests and the fuzzing test check every answer against
the models; keys are named exactly as on the wire.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict


class Answer(BaseModel):
    """An answer's keys are all listed: any other key is a change to the document."""

    model_config = ConfigDict(extra="forbid")


def ok(model: Any, *, status: int = 200, description: str = "Done") -> dict[int | str, Any]:
    """`responses=` entry for the success answer (routes set `response_model=None`)."""
    return {status: {"model": model, "description": description}}


class Page(Protocol):
    @property
    def total(self) -> int: ...
    @property
    def limit(self) -> int: ...
    @property
    def offset(self) -> int: ...


def paged(name: str, rows: list[dict[str, Any]], page: Page) -> dict[str, Any]:
    """A page's answer: its rows under `name`, how many match in all, where the page is."""
    return {name: rows, "total": page.total, "limit": page.limit, "offset": page.offset}


def when(moment: dt.datetime | None) -> str | None:
    """A moment as every answer writes it: ISO 8601 with its offset; none as null."""
    return moment.isoformat() if moment is not None else None
