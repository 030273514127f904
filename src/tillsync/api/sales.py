"""POST /api/sales (seed 003): a POS sale, with a paid CRM invoice when a customer is set."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path
from pydantic import BaseModel, ConfigDict, Field

from tillsync.api.answers import ok
from tillsync.api.answers.sales import SaleStatus
from tillsync.api.answers.sales import sale_status as status_answer
from tillsync.api.deps import CallerDep, HubDep
from tillsync.api.problems import problems
from tillsync.api.routing import KeyFirstRoute
from tillsync.api.sale_sync import REFUSALS, SaleItems, line_inputs
from tillsync.api.schemas import Currency, DocumentNumber, LongText, ShortText, Text
from tillsync.errors import InvalidInput, NotFound
from tillsync.services import sales
from tillsync.services.sale_status import read_status, sale_status

router = APIRouter(route_class=KeyFirstRoute, tags=["sales"])
SaleId = Annotated[str, Path(description="The POS saleId", max_length=200)]
NO_SALE = {404: "No sale with this saleId"}


class NewSale(BaseModel):
    """Seed 003's sale. Without `saleId` the hub makes one, but a retry then makes a twin."""

    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "examples": [
                {
                    "saleId": "POS_1642878934567_abc123",
                    "customerId": "cust-42",
                    "customerName": "Marcus Fade",
                    "currency": "USD",
                    "paymentMethod": "card",
                    "items": [
                        {
                            "sku": "TOMB45SHAVECBLCK",
                            "name": "Tomb45 Shaving Cream",
                            "quantity": 1,
                            "price": 29.99,
                        }
                    ],
                }
            ]
        },
    )

    saleId: Text | None = None  # noqa: N815
    customerId: Text | None = None  # noqa: N815
    customerName: LongText | None = None  # noqa: N815
    currency: Currency | None = Field(default=None, description="ISO 4217 code, such as USD")
    paymentMethod: ShortText | None = None  # noqa: N815
    invoiceNumber: DocumentNumber | None = None  # noqa: N815
    items: SaleItems
    reservationIds: list[Text] = Field(default_factory=list, max_length=500)  # noqa: N815
    location: Text | None = None


@router.post(
    "/api/sales",
    summary="Record a sale; with a customer, the CRM gets a paid invoice for it",
    response_model=None,
    responses=ok(SaleStatus, description="Recorded (or recorded before: `duplicate`)")
    | problems(REFUSALS),
)
async def create_sale(
    hub: HubDep, caller: CallerDep, body: Annotated[NewSale, Body()]
) -> dict[str, Any]:
    sale = _sale_input(body, now=hub.uows.clock.now())
    return status_answer(await sales.record(hub.uows, caller, sale, answer=sale_status))


@router.get(
    "/api/sales/{sale_id}",
    summary="A sale's status as POST gives it, with today's states (never a duplicate)",
    response_model=None,
    responses=ok(SaleStatus) | problems(NO_SALE),
)
async def get_sale(hub: HubDep, caller: CallerDep, sale_id: SaleId) -> dict[str, Any]:
    async with hub.uows.read() as session:
        sale = await sales.find(session, caller, sale_id)
        if sale is None:
            raise NotFound(f"no sale '{sale_id}'", field="sale_id")
        return status_answer(await read_status(session, sale))


def _sale_input(body: NewSale, *, now: dt.datetime) -> sales.SaleInput:
    customer_name = body.customerName or None
    if body.customerId is not None and customer_name is None:
        raise InvalidInput(
            "customerName is required with customerId: the CRM invoices a named customer",
            field="customerName",
        )
    return sales.SaleInput(
        sale_id=body.saleId or _new_sale_id(now),
        invoice_number=body.invoiceNumber,
        customer_name=customer_name,
        customer_id=body.customerId,
        currency=body.currency,
        payment_method=body.paymentMethod,
        location=body.location,
        reservation_ids=tuple(body.reservationIds),
        items=line_inputs(body.items),
    )


def _new_sale_id(now: dt.datetime) -> str:
    """Seed 003's form: POS_<epoch milliseconds>_<random>."""
    return f"POS_{int(now.timestamp() * 1000)}_{secrets.token_hex(3)}"
