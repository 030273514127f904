"""The control surface under `/_emulator/` (no API key): restaurants, menus, orders, faults,
settings and the call log."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field
from starlette.responses import Response

from tillsync.emulators.control import (
    add_random_fault_routes,
    add_settings_routes,
    add_state_routes,
    utc,
)
from tillsync.emulators.dine.menu import DEMO_MENU, ItemSeed
from tillsync.emulators.dine.responses import json_response
from tillsync.emulators.dine.state import DineState, Restaurant
from tillsync.emulators.faults import RouteRule


class RestaurantBody(BaseModel):
    name: str = Field("Dine Demo Cafe", min_length=1, max_length=200)
    currency: str = Field("USD", pattern=r"^[A-Z]{3}$")
    api_key: str | None = Field(None, min_length=8, max_length=200, pattern=r"^[\x21-\x7e]+$")
    demo_menu: bool = True


class ItemBody(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    price: Decimal = Field(ge=0, decimal_places=2)
    category: str = ""
    sku: str | None = None
    available: bool = True


class MenuBody(BaseModel):
    restaurant_id: str
    items: list[ItemBody] = Field(min_length=1)


def _json(document: object, status: int = 200) -> Response:
    return json_response(document, status)


def _restaurant(restaurant: Restaurant, *, with_key: bool) -> dict[str, Any]:
    shown = restaurant.document() | {"menu_items": len(restaurant.menu)}
    return shown | ({"api_key": restaurant.api_key} if with_key else {})


def control_router(state: DineState) -> APIRouter:
    router = APIRouter(prefix="/_emulator", tags=["emulator control"])

    def found(restaurant_id: str) -> Restaurant:
        try:
            return state.restaurant(restaurant_id)
        except LookupError as exc:
            raise HTTPException(404, str(exc)) from None

    add_state_routes(router, state, answer=_json)

    @router.post("/restaurants")
    async def create_restaurant(body: RestaurantBody) -> Response:
        try:
            made = state.create_restaurant(
                name=body.name,
                currency=body.currency,
                api_key=body.api_key,
                menu=DEMO_MENU if body.demo_menu else (),
            )
        except ValueError as exc:
            raise HTTPException(409, str(exc)) from None
        return _json(_restaurant(made, with_key=True), 201)

    @router.get("/restaurants")
    async def restaurants() -> Response:
        """Every restaurant with its API key (a development credential)."""
        listed = [_restaurant(r, with_key=True) for r in state.restaurants.values()]
        return _json({"restaurants": listed})

    @router.post("/menu")
    async def seed_menu(body: MenuBody) -> Response:
        found(body.restaurant_id)
        seeds = [ItemSeed(**item.model_dump()) for item in body.items]
        made = state.seed_menu(body.restaurant_id, seeds)
        return _json({"items": [item.document() for item in made]})

    @router.get("/orders")
    async def orders(restaurant_id: str) -> Response:
        return _json({"orders": list(found(restaurant_id).orders.values())})

    @router.get("/calls")
    async def calls(since: dt.datetime | None = None) -> Response:
        return _json([_plain(dataclasses.asdict(c)) for c in state.calls_since(utc(since))])

    @router.delete("/calls")
    async def clear_calls() -> Response:
        state.calls.clear()
        return _json([])

    add_settings_routes(
        router, current=lambda: state.settings, update=state.update_settings, answer=_json
    )
    add_random_fault_routes(router, faults=state.faults, rule=RouteRule, answer=_json)

    return router


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in row.items()}
