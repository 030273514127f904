"""The control surface under `/_emulator/` (no CIN7 credentials): seed, inspect, break."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
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
from tillsync.emulators.control import (
    FaultsBody as SharedFaultsBody,
)
from tillsync.emulators.control import (
    add_fault_routes,
    add_log_routes,
    add_settings_routes,
)


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


class FaultsBody(SharedFaultsBody):
    paths: list[str] | None = None


def _rows(records: Iterable[Any]) -> list[dict[str, Any]]:
    return [dataclasses.asdict(record) for record in records]


def control_router(state: Cin7State) -> APIRouter:
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

    add_log_routes(router, state, answer=json_response, rows=_rows)

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

    add_settings_routes(
        router,
        current=lambda: state.settings,
        update=state.update_settings,
        answer=json_response,
    )
    add_fault_routes(
        router,
        current=lambda: state.faults,
        clear=state.faults.clear,
        answer=json_response,
    )

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

    return router
