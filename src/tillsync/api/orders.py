"""POST and GET /api/v1/orders: an ordering app's orders, pushed to the business's POS."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Response
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from tillsync.api.answers import ok
from tillsync.api.answers.orders import OrderAnswer, order_json
from tillsync.api.deps import CallerDep, HubDep
from tillsync.api.problems import problems
from tillsync.api.routing import KeyFirstRoute
from tillsync.api.schemas import Currency, LongText, Price, Quantity, ShortText, Text, nul_free
from tillsync.domain.currencies import known
from tillsync.domain.orders import Customer, OrderDraft, OrderItem
from tillsync.services import orders
from tillsync.services.history import check_business
from tillsync.services.order_views import order_view

router = APIRouter(route_class=KeyFirstRoute, tags=["orders"])
OrderId = Annotated[str, Path(description="The ordering app's order_id", max_length=200)]
REFUSALS = {
    404: "Not the caller's business, or (GET) no order with this order_id",
    409: "This order_id was placed with a different body, or a SKU item is out of stock",
}


def _known_currency(code: str) -> str:
    if not known(code):
        raise ValueError(f"'{code}' is not an ISO 4217 currency in use")
    return code


Phone = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=50), AfterValidator(nul_free)
]
Instructions = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=2000), AfterValidator(nul_free)
]


class NewItem(BaseModel):
    model_config = ConfigDict(extra="ignore")

    dish_id: Text
    sku: ShortText | None = Field(
        default=None, description="A SKU of the ledger: the item then holds and sells stock"
    )
    name: Text
    quantity: Quantity
    unit_price: Price
    note: Instructions | None = None


class NewCustomer(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: LongText | None = None
    phone: Phone | None = None


class NewOrder(BaseModel):
    """An order; `order_id` is the app's own and the idempotency key end to end."""

    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "examples": [
                {
                    "business_id": "<your tenant id>",
                    "order_id": "order-uuid",
                    "currency": "INR",
                    "items": [
                        {
                            "dish_id": "dish-uuid-1",
                            "name": "Paneer Butter Masala",
                            "quantity": 2,
                            "unit_price": 300,
                            "note": "Extra spicy",
                        }
                    ],
                    "special_instructions": "Ring twice",
                    "customer": {"name": "Asha", "phone": "+91 98765 43210"},
                }
            ]
        },
    )

    business_id: Text = Field(description="The caller's business: its tenant id")
    order_id: Text
    currency: Annotated[Currency, AfterValidator(_known_currency)]
    items: list[NewItem] = Field(min_length=1, max_length=500)
    special_instructions: Instructions | None = None
    customer: NewCustomer | None = None


@router.post(
    "/api/v1/orders",
    summary="Place an order: stored, and pushed to the business's POS",
    response_model=None,
    responses=ok(OrderAnswer, status=201, description="Placed")
    | ok(OrderAnswer, description="Placed before with this body (`duplicate`)")
    | problems(REFUSALS),
)
async def place_order(
    hub: HubDep, caller: CallerDep, body: Annotated[NewOrder, Body()], response: Response
) -> dict[str, Any]:
    check_business(caller, body.business_id)
    placed = await orders.place_order(hub.uows, caller, _draft(body))
    response.status_code = 200 if placed.duplicate else 201
    message = "Order placed before; this is its record" if placed.duplicate else "Order placed"
    return order_json(placed, message=message)


@router.get(
    "/api/v1/orders/{order_id}",
    summary="An order with its sync state, its POS order id and the POS's own state",
    response_model=None,
    responses=ok(OrderAnswer) | problems({404: "No order with this order_id"}),
)
async def get_order(hub: HubDep, caller: CallerDep, order_id: OrderId) -> dict[str, Any]:
    shown = await order_view(hub.uows, caller.tenant_id, order_id)
    return order_json(shown, message="Order found")


def _draft(body: NewOrder) -> OrderDraft:
    customer = None
    if body.customer is not None and (body.customer.name or body.customer.phone):
        customer = Customer(name=body.customer.name or None, phone=body.customer.phone or None)
    return OrderDraft(
        order_id=body.order_id,
        currency=body.currency,
        items=tuple(
            OrderItem(
                dish_id=item.dish_id,
                name=item.name,
                quantity=item.quantity,
                unit_price=item.unit_price,
                sku=item.sku,
                note=item.note or None,
            )
            for item in body.items
        ),
        special_instructions=body.special_instructions or None,
        customer=customer,
    )
