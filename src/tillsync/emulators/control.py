"""Control routes every emulator shares under `/_emulator/`: logs, settings and faults.

Each provider's `control.py` builds its router, adds these with its own JSON answer, and
keeps the routes that are its own (reset, seeding, tokens, the body of `PUT /faults`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field
from starlette.responses import Response

from tillsync.emulators.faults import RuleAction

Answer = Callable[[object], Response]


class RuleBody(BaseModel):
    """A method-and-path fault rule as the control surface takes it."""

    method: str = "*"
    path: str
    action: RuleAction
    seconds: float = Field(0.0, ge=0)
    status: int = Field(500, ge=100, le=599)
    times: int | None = Field(1, ge=1)


class FaultsBody(BaseModel):
    """The whole random-fault set-up; a provider adds the fields only it has."""

    error_rate: float = Field(0.0, ge=0, le=1)
    kinds: list[str] = Field(default_factory=lambda: ["500"])
    latency_ms: int = Field(0, ge=0)
    seed: int | None = None
    rules: list[RuleBody] = Field(default_factory=list)


class Described(Protocol):
    def as_dict(self) -> dict[str, Any]: ...


def add_log_routes(
    router: APIRouter,
    *,
    name: str,
    entries: Callable[[dt.datetime | None], Iterable[Any]],
    clear: Callable[[], None],
    answer: Callable[[Iterable[Any]], Response],
) -> None:
    """`GET /<name>?since=` lists a log's entries since then (a naive time is UTC);
    `DELETE /<name>` empties it."""

    @router.get(f"/{name}", name=name)
    async def listed(since: dt.datetime | None = None) -> Response:
        return answer(entries(utc(since)))

    @router.delete(f"/{name}", name=f"clear_{name}")
    async def cleared() -> Response:
        clear()
        return answer([])


def add_settings_routes(
    router: APIRouter,
    *,
    current: Callable[[], Described],
    update: Callable[..., object],
    answer: Answer,
) -> None:
    """`GET /settings`; `PUT /settings` changes some of them, all or nothing (else 422)."""

    @router.get("/settings", name="get_settings")
    async def shown() -> Response:
        return answer(current().as_dict())

    @router.put("/settings", name="put_settings")
    async def changed(changes: dict[str, Any]) -> Response:
        try:
            update(**changes)
        except (TypeError, ValueError) as exc:
            raise HTTPException(422, str(exc)) from None
        return answer(current().as_dict())


def add_fault_routes(
    router: APIRouter,
    *,
    current: Callable[[], Described],
    clear: Callable[[], None],
    answer: Answer,
) -> None:
    """`GET /faults` and `DELETE /faults`; `PUT /faults` is the provider's own."""

    @router.get("/faults", name="get_faults")
    async def shown() -> Response:
        return answer(current().as_dict())

    @router.delete("/faults", name="clear_faults")
    async def cleared() -> Response:
        clear()
        return answer(current().as_dict())


def utc(moment: dt.datetime | None) -> dt.datetime | None:
    """A naive time is taken as UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt.UTC)
