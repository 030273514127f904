"""Control routes every emulator shares under `/_emulator/`: logs, settings and faults.

Each provider's `control.py` builds its router, adds these with its own JSON answer, and
keeps the routes that are its own (reset, seeding, tokens, the body of `PUT /faults`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field
from starlette.responses import Response

from tillsync.emulators.fault_plans import RandomFaults
from tillsync.emulators.faults import RouteRule, RuleAction
from tillsync.emulators.state import Clearable

Answer = Callable[[object], Response]


# No docstrings on the bodies: they would change the emulators' published schemas.
class RuleBody(BaseModel):
    method: str = "*"
    path: str
    action: RuleAction
    seconds: float = Field(0.0, ge=0)
    status: int = Field(500, ge=100, le=599)
    times: int | None = Field(1, ge=1)


class FaultsBody(BaseModel):
    # The whole random-fault set-up; a provider adds the fields only it has.

    error_rate: float = Field(0.0, ge=0, le=1)
    kinds: list[str] = Field(default_factory=lambda: ["500"])
    latency_ms: int = Field(0, ge=0)
    seed: int | None = None
    rules: list[RuleBody] = Field(default_factory=list)


class Described(Protocol):
    def as_dict(self) -> dict[str, Any]: ...


class Counted(Protocol):
    """A state that can go back to its start and count what it holds."""

    def reset(self) -> None: ...

    def counts(self) -> Any: ...


class Logged(Protocol):
    """A state that logs the calls it answered and the webhook deliveries it tried."""

    @property
    def calls(self) -> Clearable: ...

    @property
    def deliveries(self) -> Clearable: ...

    def calls_since(self, since: dt.datetime | None) -> Iterable[Any]: ...

    def deliveries_since(self, since: dt.datetime | None) -> Iterable[Any]: ...


def add_state_routes(router: APIRouter, state: Counted, *, answer: Answer) -> None:
    """`POST /reset` puts the state back to its start; it and `GET /state` answer its counts."""

    @router.post("/reset")
    async def reset() -> Response:
        state.reset()
        return answer(state.counts())

    @router.get("/state")
    async def counts() -> Response:
        return answer(state.counts())


def add_log_routes(
    router: APIRouter,
    state: Logged,
    *,
    answer: Answer,
    rows: Callable[[Iterable[Any]], object] | None = None,
) -> None:
    """`GET /calls?since=` and `GET /deliveries?since=` list a log from then on (a naive
    time is UTC) as `rows` (default: `log_rows`); `DELETE` on either empties it."""
    listed = rows or log_rows

    @router.get("/calls", name="calls")
    async def calls(since: dt.datetime | None = None) -> Response:
        return answer(listed(state.calls_since(utc(since))))

    @router.delete("/calls", name="clear_calls")
    async def clear_calls() -> Response:
        state.calls.clear()
        return answer([])

    @router.get("/deliveries", name="deliveries")
    async def deliveries(since: dt.datetime | None = None) -> Response:
        return answer(listed(state.deliveries_since(utc(since))))

    @router.delete("/deliveries", name="clear_deliveries")
    async def clear_deliveries() -> Response:
        state.deliveries.clear()
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


def add_random_fault_routes(
    router: APIRouter,
    *,
    faults: RandomFaults[Any, Any],
    rule: Callable[..., RouteRule],
    answer: Answer,
) -> None:
    """`GET`, `PUT` and `DELETE /faults` for an emulator whose faults are `RandomFaults`:
    the body is the shared `FaultsBody`, its rules made by `rule`."""
    add_fault_routes(router, current=lambda: faults, clear=faults.clear, answer=answer)

    @router.put("/faults", name="put_faults")
    async def put_faults(body: FaultsBody) -> Response:
        try:
            faults.configure(
                error_rate=body.error_rate,
                kinds=body.kinds,
                latency_ms=body.latency_ms,
                seed=body.seed,
                rules=[rule(**given.model_dump()) for given in body.rules],
            )
        except (TypeError, ValueError) as exc:
            raise HTTPException(422, str(exc)) from None
        return answer(faults.as_dict())


def log_rows(records: Iterable[Any]) -> list[dict[str, Any]]:
    """Log records (dataclasses) as JSON rows, their times in ISO 8601."""
    rows = (dataclasses.asdict(record) for record in records)
    return [
        {k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in row.items()}
        for row in rows
    ]


def utc(moment: dt.datetime | None) -> dt.datetime | None:
    """A naive time is taken as UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt.UTC)
