"""POST /api/cin7/sale-sync: the POS's stock checks, holds and sales (seed 000's contract)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from tillsync.api.answers import ok
from tillsync.api.answers.stock import (
    SaleSyncAnswer,
    hold,
    hold_released,
    sale_recorded,
    stock_check,
)
from tillsync.api.deps import CallerDep, HubDep
from tillsync.api.problems import problems
from tillsync.api.routing import KeyFirstRoute
from tillsync.api.schemas import (
    MAX_TOTAL,
    DocumentNumber,
    LongText,
    Money,
    ProductRef,
    Quantity,
    Text,
)
from tillsync.services import inventory, sales
from tillsync.services.inventory import Wanted

router = APIRouter(route_class=KeyFirstRoute, tags=["sales"])
ACTIONS = ("CHECK_INVENTORY", "RESERVE", "RELEASE", "RECORD_SALE")
REFUSALS = {
    404: "No such SKU, or no such reservation",
    409: "Not enough stock (the answer adds `sku` and `success: false`), a saleId recorded "
    "with other contents, or a reservation a sale already used",
}
"""What a hold or a sale can be refused with, at either sale endpoint."""


class _Action(BaseModel):
    model_config = ConfigDict(extra="ignore")


def _example(**body: Any) -> ConfigDict:
    return ConfigDict(extra="ignore", json_schema_extra={"examples": [body]})


class CheckInventory(_Action):
    model_config = _example(action="CHECK_INVENTORY", sku="TOMB45SHAVECBLCK", quantity=5)

    action: Literal["CHECK_INVENTORY"]
    sku: Text
    quantity: Quantity
    location: Text | None = None


class Reserve(_Action):
    model_config = _example(action="RESERVE", sku="TOMB45SHAVECBLCK", quantity=1, ttlSeconds=900)

    action: Literal["RESERVE"]
    sku: Text
    quantity: Quantity
    ttlSeconds: int | None = Field(default=None, ge=1, le=86_400, strict=True)  # noqa: N815
    location: Text | None = None


class Release(_Action):
    model_config = _example(action="RELEASE", reservationId="0b7e1f4e-5d2a-4c1b-9f3e-2a6d8c4b1e70")

    action: Literal["RELEASE"]
    reservationId: Text  # noqa: N815


class SaleItem(_Action):
    productId: ProductRef | None = None  # noqa: N815
    sku: Text
    name: LongText | None = None
    quantity: Quantity
    price: Money
    tax: Money = Decimal(0)


def _total_in_range(items: list[SaleItem]) -> list[SaleItem]:
    total = sum((item.quantity * item.price + item.tax for item in items), Decimal(0))
    if total > MAX_TOTAL:
        raise ValueError(f"the sale's total (quantity × price + tax) must be at most {MAX_TOTAL}")
    return items


SaleItems = Annotated[
    list[SaleItem], Field(min_length=1, max_length=500), AfterValidator(_total_in_range)
]


class RecordSale(_Action):
    model_config = _example(
        action="RECORD_SALE",
        saleId="TEST-001",
        invoiceNumber="INV-TEST-001",
        items=[
            {
                "sku": "TOMB45SHAVECBLCK",
                "name": "Tomb45 Shaving Cream",
                "quantity": 1,
                "price": 29.99,
            }
        ],
    )

    action: Literal["RECORD_SALE"]
    saleId: Text  # noqa: N815
    invoiceNumber: DocumentNumber | None = None  # noqa: N815
    customerName: LongText | None = None  # noqa: N815
    items: SaleItems
    reservationIds: list[Text] = Field(default_factory=list, max_length=500)  # noqa: N815
    location: Text | None = None


SaleSyncRequest = Annotated[
    CheckInventory | Reserve | Release | RecordSale, Field(discriminator="action")
]


@router.post(
    "/api/cin7/sale-sync",
    summary="Check stock, hold it, release it, or record a sale",
    response_model=None,
    responses=ok(SaleSyncAnswer, description="What `action` asked for") | problems(REFUSALS),
)
async def sale_sync(
    hub: HubDep, caller: CallerDep, body: Annotated[SaleSyncRequest, Body()]
) -> dict[str, Any]:
    uows = hub.uows
    match body:
        case CheckInventory():
            wanted = Wanted(body.sku, body.quantity)
            return stock_check(
                await inventory.check_inventory(
                    uows, hub.checks, caller, wanted, location=body.location, model=hub.stock
                )
            )
        case Reserve():
            ttl = body.ttlSeconds or hub.settings.reservation_ttl_seconds
            return hold(
                await inventory.reserve(
                    uows,
                    caller,
                    Wanted(body.sku, body.quantity),
                    ttl_seconds=ttl,
                    location=body.location,
                )
            )
        case Release():
            return hold_released(await inventory.release(uows, caller, body.reservationId))
        case RecordSale():
            return sale_recorded(await sales.record_sale(uows, caller, _sale_input(body)))


def _sale_input(body: RecordSale) -> sales.SaleInput:
    return sales.SaleInput(
        sale_id=body.saleId,
        invoice_number=body.invoiceNumber,
        customer_name=body.customerName,
        location=body.location,
        reservation_ids=tuple(body.reservationIds),
        items=line_inputs(body.items),
    )


def line_inputs(items: list[SaleItem]) -> tuple[sales.LineInput, ...]:
    return tuple(
        sales.LineInput(
            sku=item.sku,
            quantity=item.quantity,
            price=item.price,
            name=item.name,
            tax=item.tax,
            product_ref=item.productId,
        )
        for item in items
    )
