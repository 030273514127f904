"""The control surface under `/_emulator/` (no Poster token): accounts, the back office's
changes (each one sends its webhook), the application's registration, tokens, faults."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field
from starlette.responses import Response

from tillsync.emulators.control import (
    add_log_routes,
    add_random_fault_routes,
    add_settings_routes,
    add_state_routes,
)
from tillsync.emulators.poster.faults import FaultRule
from tillsync.emulators.poster.records import KINDS
from tillsync.emulators.poster.responses import json_response
from tillsync.emulators.poster.state import PosterState, UnknownAccountError


class AccountBody(BaseModel):
    account: str | None = Field(None, pattern=r"^[a-z0-9-]+$")
    account_number: str | None = Field(None, pattern=r"^[0-9]+$")
    company_name: str = Field("Demo Cafe", min_length=1)
    installed: bool = True
    access_token: str | None = None
    demo: bool = True


class ApplicationBody(BaseModel):
    redirect_uri: str | None = None
    webhook_url: str | None = None
    webhook_objects: list[str] | None = None


class ObjectBody(BaseModel):
    fields: dict[str, str | int | Decimal] = Field(default_factory=dict)
    prime_cost: int = Field(0, ge=0)
    left: dict[int, Decimal] = Field(default_factory=dict)


class LeftoverBody(BaseModel):
    ingredient_id: int
    storage_id: int
    quantity: Decimal


class TokenScope(BaseModel):
    access_token: str | None = None
    account: str | None = None


def control_router(state: PosterState) -> APIRouter:
    router = APIRouter(prefix="/_emulator", tags=["emulator control"])

    add_state_routes(router, state, answer=json_response)
    add_log_routes(router, state, answer=json_response)

    @router.get("/application")
    async def application() -> Response:
        """Our application's registration, secret included (a development credential)."""
        return json_response(dataclasses.asdict(state.application))

    @router.put("/application")
    async def configure(body: ApplicationBody) -> Response:
        """Change the registration; saving webhook settings drops every held-back hook."""
        try:
            changed = state.configure_application(**body.model_dump(exclude_unset=True))
        except (TypeError, ValueError) as exc:
            raise HTTPException(422, str(exc)) from None
        return json_response(dataclasses.asdict(changed))

    @router.get("/hooks")
    async def pending() -> Response:
        """Hooks waiting per account, the one being tried first."""
        return json_response(state.hooks.pending())

    @router.delete("/hooks")
    async def drop() -> Response:
        return json_response({"dropped": state.hooks.drop()})

    @router.post("/tokens/expire")
    async def expire_tokens(body: TokenScope) -> Response:
        """Expire tokens now: the next call with one gets error 12."""
        ended = state.tokens.expire(
            now=state.clock.now(), token=body.access_token, account=body.account
        )
        return json_response({"expired": ended})

    _add_account_routes(router, state)
    add_settings_routes(
        router, current=lambda: state.settings, update=state.update_settings, answer=json_response
    )
    add_random_fault_routes(router, faults=state.faults, rule=FaultRule, answer=json_response)
    return router


def _add_account_routes(router: APIRouter, state: PosterState) -> None:
    """Accounts, and the back office's changes as a manager makes them in Poster."""

    def edit(action: Callable[[], Any]) -> Response:
        try:
            record = action()
        except UnknownAccountError as exc:
            raise HTTPException(404, str(exc)) from None
        except (KeyError, ValueError) as exc:
            raise HTTPException(422, str(exc).strip("'")) from None
        return json_response(record.row())

    def kind_of(kind: str) -> str:
        if kind not in KINDS:
            raise HTTPException(404, f"kind must be one of {', '.join(KINDS)}")
        return kind

    @router.get("/accounts")
    async def accounts() -> Response:
        return json_response(state.counts()["accounts"])

    @router.post("/accounts")
    async def create_account(body: AccountBody) -> Response:
        """An account with a live token: our application's when `installed` (its changes
        are sent as webhooks), else a personal one; the demo back office unless `demo` is
        false."""
        try:
            connected = state.create_account(
                login=body.account,
                number=body.account_number,
                company_name=body.company_name,
                installed=body.installed,
                access_token=body.access_token,
            )
        except ValueError as exc:
            raise HTTPException(409, str(exc)) from None
        if body.demo:
            state.seed_demo(connected.account)
        return json_response(dataclasses.asdict(connected))

    @router.get("/accounts/{login}/{kind}")
    async def listed(login: str, kind: str) -> Response:
        """Every object of a kind, removed ones included."""
        try:
            objects = state.account(login).objects[kind_of(kind)]
        except UnknownAccountError as exc:
            raise HTTPException(404, str(exc)) from None
        return json_response([record.row() for record in objects.values()])

    @router.post("/accounts/{login}/{kind}")
    async def add(login: str, kind: str, body: ObjectBody) -> Response:
        """A new object (`added` hook); an ingredient may come with its prime cost in
        kopecks and its leftovers by storage id."""
        fields, cost, left = body.fields, body.prime_cost, body.left
        return edit(lambda: state.add(login, kind_of(kind), fields, prime_cost=cost, left=left))

    @router.put("/accounts/{login}/{kind}/{object_id}")
    async def change(login: str, kind: str, object_id: int, fields: dict[str, Any]) -> Response:
        """Change some fields (`changed` hook); `prime_cost` for an ingredient."""
        return edit(lambda: state.change(login, kind_of(kind), object_id, fields))

    @router.delete("/accounts/{login}/{kind}/{object_id}")
    async def remove(login: str, kind: str, object_id: int) -> Response:
        """Remove an object (`removed` hook)."""
        return edit(lambda: state.remove(login, kind_of(kind), object_id))

    @router.put("/accounts/{login}/leftovers")
    async def set_left(login: str, body: LeftoverBody) -> Response:
        """Set an ingredient's leftover at a storage (`stock` hook with the change)."""
        return edit(
            lambda: state.set_left(login, body.ingredient_id, body.storage_id, body.quantity)
        )
