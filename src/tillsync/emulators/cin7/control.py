"""The control surface under `/_emulator/` (no CIN7 credentials): seed, inspect, break."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from tillsync.emulators.cin7.commands import ProductSeed
from tillsync.emulators.cin7.documents import customer_document, location_document
from tillsync.emulators.cin7.faults import FaultRule
from tillsync.emulators.cin7.responses import json_response
from tillsync.emulators.cin7.state import Cin7State, UnknownAccountError
from tillsync.emulators.faults import RuleAction


class ResetBody(BaseModel):
    keep_accounts: bool = True


class AccountBody(BaseModel):
    account_id: str | None = None
    application_key: str | None = None
    company: str | None = None


class KeyBody(BaseModel):
    application_key: str | None = None


class ProductSeedBody(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    sku: str = Field(alias="SKU", min_length=1, max_length=50)
    name: str = Field(alias="Name", min_length=1)
    category: str = Field("General", alias="Category")
    brand: str = Field("", alias="Brand")
    barcode: str = Field("", alias="Barcode")
    price_tier1: Decimal = Field(Decimal(0), alias="PriceTier1")
    average_cost: Decimal = Field(Decimal(0), alias="AverageCost")
    minimum_before_reorder: Decimal | None = Field(None, alias="MinimumBeforeReorder")
    stock: dict[str, Decimal] = Field(default_factory=dict)


class ProductsBody(BaseModel):
    account_id: str
    products: list[ProductSeedBody]


class GenerateBody(BaseModel):
    account_id: str
    count: int = Field(ge=1, le=1_000_000)
    prefix: str = "GEN"


class LocationBody(BaseModel):
    account_id: str
    name: str = Field(min_length=1)
    bins: list[str] = Field(default_factory=list)


class CustomerBody(BaseModel):
    account_id: str
    name: str = Field(min_length=1)


class RuleBody(BaseModel):
    method: str = "*"
    path: str
    action: RuleAction
    seconds: float = Field(0.0, ge=0)
    status: int = Field(500, ge=100, le=599)
    times: int | None = Field(1, ge=1)


class FaultsBody(BaseModel):
    error_rate: float = Field(0.0, ge=0, le=1)
    kinds: list[str] = Field(default_factory=lambda: ["500"])
    latency_ms: int = Field(0, ge=0)
    seed: int | None = None
    paths: list[str] | None = None
    rules: list[RuleBody] = Field(default_factory=list)


def _records(records: Any) -> Response:
    return json_response([dataclasses.asdict(record) for record in records])


def control_router(state: Cin7State) -> APIRouter:  # noqa: PLR0915 (one small route each)
    router = APIRouter(prefix="/_emulator", tags=["emulator control"])

    def account_id(value: str) -> str:
        try:
            return state.account(value).id
        except UnknownAccountError as exc:
            raise HTTPException(404, str(exc)) from None

    @router.post("/reset")
    async def reset(body: ResetBody | None = None) -> Response:
        state.reset(keep_accounts=True if body is None else body.keep_accounts)
        return json_response(state.counts())

    @router.get("/state")
    async def counts() -> Response:
        return json_response(state.counts())

    @router.get("/calls")
    async def calls(since: dt.datetime | None = None) -> Response:
        return _records(state.calls_since(_utc(since)))

    @router.delete("/calls")
    async def clear_calls() -> Response:
        state.calls.clear()
        return json_response([])

    @router.get("/deliveries")
    async def deliveries(since: dt.datetime | None = None) -> Response:
        return _records(state.deliveries_since(_utc(since)))

    @router.delete("/deliveries")
    async def clear_deliveries() -> Response:
        state.deliveries.clear()
        return json_response([])

    @router.post("/accounts")
    async def create_account(body: AccountBody) -> Response:
        try:
            credentials = state.create_account(
                account_id=body.account_id,
                application_key=body.application_key,
                company=body.company,
            )
        except ValueError as exc:
            raise HTTPException(409, str(exc)) from None
        return json_response(dataclasses.asdict(credentials))

    @router.post("/accounts/{account}/keys")
    async def add_key(account: str, body: KeyBody | None = None) -> Response:
        try:
            key = None if body is None else body.application_key
            credentials = state.add_application_key(account_id(account), key)
        except ValueError as exc:
            raise HTTPException(409, str(exc)) from None
        return json_response(dataclasses.asdict(credentials))

    @router.post("/products")
    async def seed_products(body: ProductsBody) -> Response:
        seeds = [ProductSeed(**seed.model_dump()) for seed in body.products]
        try:
            products = state.seed_products(account_id(body.account_id), seeds)
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None
        return json_response({"Products": [{"ID": p.id, "SKU": p.sku} for p in products]})

    @router.post("/products/generate")
    async def generate_products(body: GenerateBody) -> Response:
        created = state.generate_products(
            account_id(body.account_id), count=body.count, prefix=body.prefix
        )
        return json_response({"created": created})

    @router.post("/locations")
    async def add_location(body: LocationBody) -> Response:
        try:
            location = state.add_location(account_id(body.account_id), body.name, bins=body.bins)
        except ValueError as exc:
            raise HTTPException(409, str(exc)) from None
        return json_response(location_document(location))

    @router.post("/customers")
    async def add_customer(body: CustomerBody) -> Response:
        try:
            customer = state.add_customer(account_id(body.account_id), body.name)
        except ValueError as exc:
            raise HTTPException(409, str(exc)) from None
        return json_response(customer_document(customer))

    @router.get("/settings")
    async def get_settings() -> Response:
        return json_response(state.settings.as_dict())

    @router.put("/settings")
    async def put_settings(changes: dict[str, Any]) -> Response:
        try:
            state.update_settings(**changes)
        except (TypeError, ValueError) as exc:
            raise HTTPException(422, str(exc)) from None
        return json_response(state.settings.as_dict())

    @router.get("/faults")
    async def get_faults() -> Response:
        return json_response(state.faults.as_dict())

    @router.put("/faults")
    async def put_faults(body: FaultsBody) -> Response:
        try:
            state.faults.configure(
                error_rate=body.error_rate,
                kinds=body.kinds,
                latency_ms=body.latency_ms,
                seed=body.seed,
                paths=body.paths,
                rules=[FaultRule(**rule.model_dump()) for rule in body.rules],
            )
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None
        return json_response(state.faults.as_dict())

    @router.delete("/faults")
    async def clear_faults() -> Response:
        state.faults.clear()
        return json_response(state.faults.as_dict())

    return router


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt.UTC)
