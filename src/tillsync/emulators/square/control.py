"""The control surface under `/_emulator/` (no Square token): seed, inspect, expire, break."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field
from starlette.responses import Response

from tillsync.emulators.control import (
    add_log_routes,
    add_random_fault_routes,
    add_settings_routes,
    add_state_routes,
)
from tillsync.emulators.square.errors import SquareError
from tillsync.emulators.square.faults import FaultRule
from tillsync.emulators.square.responses import json_response
from tillsync.emulators.square.seeding import ItemSeed, VariationSeed
from tillsync.emulators.square.state import SquareState, UnknownMerchantError


class MerchantBody(BaseModel):
    merchant_id: str | None = None
    business_name: str = "Demo Kitchen"
    currency: str = Field("USD", pattern=r"^[A-Z]{3}$")
    demo_catalog: bool = True


class LocationBody(BaseModel):
    merchant_id: str
    name: str = Field(min_length=1)
    currency: str = Field("USD", pattern=r"^[A-Z]{3}$")


class VariationBody(BaseModel):
    name: str = Field("Regular", min_length=1)
    price: int = Field(ge=0)
    sku: str | None = None
    stock: Decimal | None = Field(None, ge=0)


class ItemBody(BaseModel):
    name: str = Field(min_length=1)
    variations: list[VariationBody] = Field(min_length=1)


class CatalogBody(BaseModel):
    merchant_id: str
    items: list[ItemBody] = Field(min_length=1)


class CountBody(BaseModel):
    catalog_object_id: str
    location_id: str
    quantity: Decimal = Field(ge=0)


class CountsBody(BaseModel):
    merchant_id: str
    counts: list[CountBody] = Field(min_length=1)


class OrderStateBody(BaseModel):
    merchant_id: str
    state: str


class TokenScope(BaseModel):
    access_token: str | None = None
    merchant_id: str | None = None


class RateLimitBody(BaseModel):
    access_token: str
    limit: int | None = Field(ge=1)


def control_router(state: SquareState) -> APIRouter:
    router = APIRouter(prefix="/_emulator", tags=["emulator control"])

    def merchant_id(value: str) -> str:
        try:
            return state.merchant(value).id
        except UnknownMerchantError as exc:
            raise HTTPException(404, str(exc)) from None

    add_state_routes(router, state, answer=json_response)
    add_log_routes(router, state, answer=json_response)

    @router.get("/application")
    async def application() -> Response:
        """The OAuth client the emulator plays Square for (a development credential)."""
        return json_response(dataclasses.asdict(state.application))

    @router.get("/subscriptions")
    async def subscriptions() -> Response:
        """Every subscription with its signature key (the API lists them without)."""
        listed = [s.document(with_key=True) for s in state.subscriptions.by_id.values()]
        return json_response({"subscriptions": listed})

    @router.post("/merchants")
    async def create_merchant(body: MerchantBody) -> Response:
        try:
            seller = state.create_merchant(
                merchant_id=body.merchant_id,
                business_name=body.business_name,
                currency=body.currency,
                demo_catalog=body.demo_catalog,
            )
        except ValueError as exc:
            raise HTTPException(409, str(exc)) from None
        return json_response(dataclasses.asdict(seller))

    @router.post("/locations")
    async def add_location(body: LocationBody) -> Response:
        location = state.add_location(
            merchant_id(body.merchant_id), body.name, currency=body.currency
        )
        return json_response({"id": location.id, "name": location.name})

    @router.post("/catalog")
    async def seed_catalog(body: CatalogBody) -> Response:
        items = [
            ItemSeed(item.name, tuple(VariationSeed(**v.model_dump()) for v in item.variations))
            for item in body.items
        ]
        stored = state.seed_catalog(merchant_id(body.merchant_id), items)
        return json_response({"objects": stored})

    @router.put("/inventory")
    async def set_counts(body: CountsBody) -> Response:
        merchant = merchant_id(body.merchant_id)
        try:
            counts = [
                state.set_count(merchant, c.catalog_object_id, c.location_id, c.quantity)
                for c in body.counts
            ]
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None
        return json_response({"counts": counts})

    @router.get("/orders")
    async def orders(merchant: str) -> Response:
        return json_response(
            {"orders": list(state.merchant(merchant_id(merchant)).orders.values())}
        )

    @router.post("/orders/{order_id}/state")
    async def order_state(order_id: str, body: OrderStateBody) -> Response:
        merchant = state.merchant(merchant_id(body.merchant_id))
        try:
            return json_response({"order": state.orders.set_state(merchant, order_id, body.state)})
        except SquareError as exc:
            raise HTTPException(exc.status if exc.status == 404 else 422, exc.detail) from None

    @router.post("/tokens/expire")
    async def expire_tokens(body: TokenScope) -> Response:
        ended = state.tokens.expire(
            now=state.clock.now(), token=body.access_token, merchant_id=body.merchant_id
        )
        return json_response({"expired": ended})

    @router.post("/grants/revoke")
    async def revoke_grants(body: TokenScope) -> Response:
        if body.merchant_id is None:
            raise HTTPException(422, "merchant_id is required")
        return json_response(
            {"revoked": state.tokens.revoke_merchant(merchant_id(body.merchant_id))}
        )

    @router.post("/rate-limits")
    async def rate_limit(body: RateLimitBody) -> Response:
        state.rate_limits[body.access_token] = body.limit
        return json_response({"limit": body.limit})

    add_settings_routes(
        router,
        current=lambda: state.settings,
        update=state.update_settings,
        answer=json_response,
    )
    add_random_fault_routes(router, faults=state.faults, rule=FaultRule, answer=json_response)

    return router
