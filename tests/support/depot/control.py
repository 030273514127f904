"""The control surface under `/_control/` (no key): seed, set stock, faults, calls, deliveries."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field
from starlette.responses import Response

from tests.support.depot.records import DepotError, Line, LostAnswer, SaleDraft, stamp
from tests.support.depot.responses import document
from tests.support.depot.state import DepotState


class AccountBody(BaseModel):
    name: str = "Depot Demo"
    account_id: str | None = None
    api_key: str | None = Field(None, min_length=8)


class ProductBody(BaseModel):
    sku: str = Field(min_length=1)
    name: str
    price: Decimal = Decimal(0)
    barcode: str | None = None
    reorder_level: Decimal | None = None
    active: bool = True


class StockBody(BaseModel):
    sku: str = Field(min_length=1)
    location: str = Field(min_length=1)
    on_hand: Decimal
    available: Decimal | None = None


class LineBody(BaseModel):
    sku: str
    quantity: Decimal = Field(gt=0)
    price: Decimal = Decimal(0)
    name: str = ""


class ExternalSaleBody(BaseModel):
    """A sale from another channel, shipped at once (reference: none of ours)."""

    location: str
    lines: list[LineBody] = Field(min_length=1)
    number: str | None = None
    customer: str | None = None


class FailureBody(BaseModel):
    path: str = Field(min_length=1)
    times: int = Field(1, ge=1)
    status: int = Field(500, ge=400, le=599)
    method: str | None = None
    query: dict[str, str] | None = None


class LoseBody(BaseModel):
    mode: LostAnswer = "drop"
    times: int = Field(1, ge=1)


class RateBody(BaseModel):
    calls: int = Field(ge=1)
    window_seconds: float = Field(gt=0)


def _json(value: Any) -> Response:
    return document(value)


def control_router(state: DepotState) -> APIRouter:
    router = APIRouter(prefix="/_control", tags=["emulator control"])

    def account_of(account_id: str) -> str:
        if account_id not in state.accounts:
            raise HTTPException(404, f"no account '{account_id}'")
        return account_id

    @router.post("/accounts")
    async def add_account(body: AccountBody) -> Response:
        account_id, key = state.add_account(
            body.name, account_id=body.account_id, api_key=body.api_key
        )
        return _json({"account_id": account_id, "api_key": key})

    @router.post("/accounts/{account_id}/products")
    async def seed_products(account_id: str, body: list[ProductBody]) -> Response:
        owner = account_of(account_id)
        seeded = [state.seed_product(owner, **product.model_dump()) for product in body]
        return _json({"data": [product.document() for product in seeded]})

    @router.put("/accounts/{account_id}/stock")
    async def set_stock(account_id: str, body: list[StockBody]) -> Response:
        owner = account_of(account_id)
        levels = [state.set_stock(owner, **row.model_dump()) for row in body]
        found = state.account(owner).products
        return _json({"data": [level.document(found.get(level.sku)) for level in levels]})

    @router.post("/accounts/{account_id}/webhooks/{webhook_id}/deactivate")
    async def deactivate(account_id: str, webhook_id: str) -> Response:
        try:
            hook = state.deactivate_webhook(account_of(account_id), webhook_id)
        except DepotError as error:
            raise HTTPException(error.status, error.message) from None
        return _json(hook.document())

    @router.post("/accounts/{account_id}/sales/{sale_id}/ship")
    async def ship(account_id: str, sale_id: str) -> Response:
        try:
            return _json(state.ship(account_of(account_id), sale_id).document())
        except DepotError as error:
            raise HTTPException(error.status, error.message) from None

    @router.post("/accounts/{account_id}/external-sales")
    async def external_sale(account_id: str, body: ExternalSaleBody) -> Response:
        owner = account_of(account_id)
        draft = SaleDraft(
            reference=None,
            number=body.number,
            customer=body.customer,
            location=body.location,
            note="",
            date=state.clock.now().date(),
            lines=[Line(ln.sku, ln.name, ln.quantity, ln.price, Decimal(0)) for ln in body.lines],
        )
        try:
            sale = state.create_sale(owner, draft)
        except DepotError as error:
            raise HTTPException(error.status, error.message) from None
        return _json(state.ship(owner, sale.id).document())

    @router.post("/failures")
    async def fail_next(body: FailureBody) -> Response:
        state.traffic.fail_next(
            body.path, times=body.times, status=body.status, method=body.method, query=body.query
        )
        return _json([dataclasses.asdict(f) for f in state.traffic.failures])

    @router.post("/lose-next-sale")
    async def lose_next_sale(body: LoseBody) -> Response:
        state.traffic.lose_next_sale(body.mode, times=body.times)
        return _json({"pending": list(state.traffic.lost_answers)})

    @router.put("/rate-limit")
    async def rate_limit(body: RateBody) -> Response:
        state.traffic.rate_calls, state.traffic.rate_window = body.calls, body.window_seconds
        return _json(body.model_dump())

    @router.get("/calls")
    async def calls() -> Response:
        return _json(
            [{**dataclasses.asdict(call), "at": stamp(call.at)} for call in state.traffic.calls]
        )

    @router.delete("/calls")
    async def clear_calls() -> Response:
        state.traffic.calls.clear()
        return _json([])

    @router.get("/deliveries")
    async def deliveries() -> Response:
        await state.settle()
        return _json([dataclasses.asdict(delivery) for delivery in state.delivered])

    return router
