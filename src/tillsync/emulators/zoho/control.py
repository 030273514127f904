"""The control surface under `/_emulator/` (no Zoho token): seed, inspect, expire, break."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
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
from tillsync.emulators.zoho.faults import FaultRule
from tillsync.emulators.zoho.responses import json_response
from tillsync.emulators.zoho.seeding import DEMO_ITEMS, ItemSeed
from tillsync.emulators.zoho.state import UnknownOrganizationError, ZohoState
from tillsync.emulators.zoho.workflows import Workflow


class AccountBody(BaseModel):
    email: str | None = None


class OrganizationBody(BaseModel):
    name: str = Field("Demo Store", min_length=1)
    account_id: str | None = None
    organization_id: str | None = None
    currency_code: str = Field("USD", pattern=r"^[A-Z]{3}$")
    plan: str | None = None
    location_name: str = Field("Main Warehouse", min_length=1)
    access_token: str | None = None
    demo_items: bool = True


class LocationBody(BaseModel):
    organization_id: str
    name: str = Field(min_length=1)


class ItemBody(BaseModel):
    name: str = Field(min_length=1)
    sku: str = Field(min_length=1)
    rate: Decimal = Field(ge=0)
    stock: dict[str, Decimal] = Field(default_factory=dict)
    reorder_level: Decimal | None = None


class ItemsBody(BaseModel):
    organization_id: str
    items: list[ItemBody] = Field(min_length=1)


class StockBody(BaseModel):
    organization_id: str
    item_id: str
    location_id: str = ""
    quantity: Decimal


class WorkflowBody(BaseModel):
    organization_id: str
    entity: str
    url: str
    header_name: str | None = None
    secret: str | None = None
    params: dict[str, str] = Field(default_factory=dict)


class TokenScope(BaseModel):
    access_token: str | None = None
    account_id: str | None = None


def control_router(state: ZohoState) -> APIRouter:
    router = APIRouter(prefix="/_emulator", tags=["emulator control"])

    def organization_id(value: str) -> str:
        try:
            return state.organization(value).id
        except UnknownOrganizationError as exc:
            raise HTTPException(404, str(exc)) from None

    add_state_routes(router, state, answer=json_response)
    add_log_routes(router, state, answer=json_response)

    @router.get("/application")
    async def application() -> Response:
        """The OAuth client the emulator plays Zoho for (a development credential)."""
        return json_response(dataclasses.asdict(state.application))

    _add_seeding_routes(router, state, organization_id)

    @router.get("/salesorders")
    async def salesorders(organization: str) -> Response:
        listed = list(state.organization(organization_id(organization)).salesorders.values())
        return json_response({"salesorders": listed})

    @router.get("/workflows")
    async def workflows() -> Response:
        listed = [w.document(with_secret=True) for w in state.workflows.values()]
        return json_response({"webhooks": listed})

    @router.post("/workflows")
    async def add_workflow(body: WorkflowBody) -> Response:
        """A workflow webhook as a user sets it up in Zoho: module, URL, secret header."""
        organization_id(body.organization_id)
        try:
            workflow = state.add_workflow(Workflow(**body.model_dump()))
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None
        return json_response(workflow.document())

    @router.delete("/workflows/{webhook_id}")
    async def remove_workflow(webhook_id: str) -> Response:
        if state.workflows.pop(webhook_id, None) is None:
            raise HTTPException(404, f"unknown webhook {webhook_id!r}")
        return json_response({"deleted": webhook_id})

    @router.post("/tokens/expire")
    async def expire_tokens(body: TokenScope) -> Response:
        """Expire access tokens now: the next call with one gets code 57."""
        ended = state.tokens.expire(
            now=state.clock.now(), token=body.access_token, account_id=body.account_id
        )
        return json_response({"expired": ended})

    add_settings_routes(
        router, current=lambda: state.settings, update=state.update_settings, answer=json_response
    )
    add_random_fault_routes(router, faults=state.faults, rule=FaultRule, answer=json_response)

    return router


def _add_seeding_routes(
    router: APIRouter, state: ZohoState, organization_id: Callable[[str], str]
) -> None:
    """Accounts, organizations, locations, items and stock, as a user keys them in."""

    @router.post("/accounts")
    async def create_account(body: AccountBody) -> Response:
        return json_response(dataclasses.asdict(state.create_account(email=body.email)))

    @router.get("/organizations")
    async def organizations() -> Response:
        """Every organization with its account, plan and locations."""
        listed = [
            {
                **o.document(),
                "account_id": o.account_id,
                "locations": [loc.document() for loc in o.locations.values()],
            }
            for o in state.organizations.values()
        ]
        return json_response({"organizations": listed})

    @router.post("/organizations")
    async def create_organization(body: OrganizationBody) -> Response:
        """An organization with a primary location, a non-expiring access token of its
        account and (unless `demo_items` is false) the demo items."""
        fields = body.model_dump(exclude={"demo_items"})
        try:
            connected = state.create_organization(**fields)
        except ValueError as exc:
            raise HTTPException(409, str(exc)) from None
        if body.demo_items:
            state.seed_items(connected.organization_id, DEMO_ITEMS)
        return json_response(dataclasses.asdict(connected))

    @router.post("/locations")
    async def add_location(body: LocationBody) -> Response:
        location = state.add_location(organization_id(body.organization_id), body.name)
        return json_response(location.document())

    @router.post("/items")
    async def seed_items(body: ItemsBody) -> Response:
        org = organization_id(body.organization_id)
        seeds = [ItemSeed(**item.model_dump()) for item in body.items]
        try:
            stored = state.seed_items(org, seeds)
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None
        locations = state.organization(org).locations
        return json_response({"items": [item.document(locations) for item in stored]})

    @router.put("/stock")
    async def set_stock(body: StockBody) -> Response:
        """Set stock on hand as a user's edit in Zoho would: an item workflow fires."""
        org = organization_id(body.organization_id)
        try:
            item = state.set_stock(org, body.item_id, body.location_id, body.quantity)
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None
        return json_response({"item": item.document(state.organization(org).locations)})
