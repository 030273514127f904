"""The control surface under `/_emulator/` (no API key): reset, keys, faults, calls, invoices."""

from __future__ import annotations

import dataclasses
from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field
from starlette.responses import Response

from tillsync.emulators.control import add_fault_routes
from tillsync.emulators.crm.responses import json_response
from tillsync.emulators.crm.state import Call, CrmState, FaultRule, Faults
from tillsync.emulators.faults import RuleAction


class ResetBody(BaseModel):
    keep_keys: bool = True


class KeyBody(BaseModel):
    api_key: str | None = Field(None, min_length=8, max_length=200)


class RuleBody(BaseModel):
    action: RuleAction
    call: Call = "create"
    seconds: float = Field(0.0, ge=0)
    status: int = Field(500, ge=100, le=599)
    times: int | None = Field(1, ge=1)


class FaultsBody(BaseModel):
    down: bool = False
    latency_ms: int = Field(0, ge=0, le=600_000)
    ignore_idempotency: bool = False
    rules: list[RuleBody] = Field(default_factory=list)


def _counts(state: CrmState) -> dict[str, Any]:
    return {"keys": len(state.keys), "invoices": len(state.invoices), "calls": len(state.calls)}


def control_router(state: CrmState) -> APIRouter:
    router = APIRouter(prefix="/_emulator", tags=["emulator control"])

    @router.post("/reset")
    async def reset(body: ResetBody | None = None) -> Response:
        state.reset(keep_keys=True if body is None else body.keep_keys)
        return json_response(_counts(state))

    @router.get("/state")
    async def counts() -> Response:
        return json_response(_counts(state))

    @router.post("/keys")
    async def add_key(body: KeyBody | None = None) -> Response:
        return json_response({"api_key": state.add_key(None if body is None else body.api_key)})

    @router.delete("/keys/{key}")
    async def revoke_key(key: str) -> Response:
        if not state.revoke_key(key):
            raise HTTPException(404, "no such key")
        return json_response({"revoked": True})

    @router.get("/invoices")
    async def invoices() -> Response:
        return json_response([invoice.document() for invoice in state.invoices])

    @router.get("/calls")
    async def calls() -> Response:
        return json_response(
            [{**dataclasses.asdict(c), "at": c.at.isoformat()} for c in state.calls]
        )

    @router.delete("/calls")
    async def clear_calls() -> Response:
        state.calls.clear()
        return json_response([])

    @router.put("/faults")
    async def put_faults(body: FaultsBody) -> Response:
        try:
            rules = [FaultRule(**rule.model_dump()) for rule in body.rules]
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None
        state.faults = Faults(
            down=body.down,
            latency_ms=body.latency_ms,
            ignore_idempotency=body.ignore_idempotency,
            rules=rules,
        )
        return json_response(state.faults.as_dict())

    def clear_faults() -> None:
        state.faults = Faults()

    add_fault_routes(router, current=lambda: state.faults, clear=clear_faults, answer=json_response)

    return router
