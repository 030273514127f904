"""Reading CIN7 request bodies (case-insensitive JSON) into the state's commands."""

from __future__ import annotations

from tillsync.emulators.cin7.commands import (
    AdjustmentInput,
    AdjustmentLineInput,
    FulfilmentInput,
    InvoiceInput,
    LineInput,
    OrderInput,
    ProductInput,
    SaleInput,
    WebhookInput,
)
from tillsync.emulators.cin7.errors import Cin7Error
from tillsync.emulators.cin7.records import PRICE_TIER_COUNT, ZERO
from tillsync.emulators.cin7.wire import Fields, parse_decimal


def product_input(body: Fields) -> ProductInput:
    tiers = {
        n: price
        for n in range(1, PRICE_TIER_COUNT + 1)
        if (price := body.decimal(f"PriceTier{n}")) is not None
    }
    named = body.raw("PriceTiers")
    if isinstance(named, dict):
        for label, value in named.items():
            number = str(label).lower().removeprefix("tier").strip()
            if number.isdigit():
                tiers[int(number)] = parse_decimal(value, field="PriceTiers")
    return ProductInput(
        id=body.text("ID"),
        sku=body.text("SKU"),
        name=body.text("Name"),
        category=body.text("Category"),
        brand=body.text("Brand"),
        type=body.text("Type"),
        costing_method=body.text("CostingMethod"),
        uom=body.text("UOM"),
        barcode=body.text("Barcode"),
        minimum_before_reorder=body.decimal("MinimumBeforeReorder"),
        reorder_quantity=body.decimal("ReorderQuantity"),
        price_tiers=tiers,
        status=body.text("Status"),
        default_location=body.text("DefaultLocation"),
        tags=body.text("Tags"),
        description=body.text("Description"),
    )


def sale_input(body: Fields) -> SaleInput:
    return SaleInput(
        customer=body.text("Customer"),
        customer_id=body.text("CustomerID"),
        location=body.text("Location"),
        external_id=body.text("ExternalID"),
        customer_reference=body.text("CustomerReference"),
        skip_quote=body.flag("SkipQuote"),
        sale_order_date=body.time("SaleOrderDate"),
        ship_by=body.time("ShipBy"),
        note=body.text("Note"),
        tax_rule=body.text("TaxRule"),
        tax_inclusive=body.flag("TaxInclusive"),
    )


def _lines(body: Fields) -> list[LineInput]:
    return [
        LineInput(
            product_id=line.text("ProductID"),
            sku=line.text("SKU"),
            name=line.text("Name"),
            quantity=line.decimal("Quantity"),
            price=line.decimal("Price"),
            discount=line.decimal("Discount") or ZERO,
            tax=line.decimal("Tax") or ZERO,
            tax_rule=line.text("TaxRule"),
            total=line.decimal("Total"),
            comment=line.text("Comment") or "",
        )
        for line in body.objects("Lines")
    ]


def order_input(body: Fields) -> OrderInput:
    return OrderInput(
        sale_id=body.text("SaleID"),
        status=body.text("Status"),
        auto_mode=body.text("AutoPickPackShipMode"),
        memo=body.text("Memo") or "",
        lines=_lines(body),
    )


def fulfilment_input(body: Fields, stage: str) -> FulfilmentInput:
    """`{TaskID, AutoPickMode: "AUTOPICK"}` authorises a pick (likewise AUTOPACK, AUTOSHIP)."""
    auto_field = {"pick": "AutoPickMode", "pack": "AutoPackMode", "ship": "AutoShipMode"}[stage]
    auto = (body.text(auto_field) or "").upper()
    if auto and auto != f"AUTO{stage.upper()}":
        raise Cin7Error(f"{auto_field} '{body.text(auto_field)}' is not valid")
    return FulfilmentInput(task_id=body.text("TaskID"), status=body.text("Status"), auto=bool(auto))


def invoice_input(body: Fields) -> InvoiceInput:
    return InvoiceInput(
        sale_id=body.text("SaleID"),
        task_id=body.text("TaskID"),
        status=body.text("Status"),
        invoice_date=body.time("InvoiceDate"),
        due_date=body.time("InvoiceDueDate"),
        memo=body.text("Memo") or "",
        lines=_lines(body),
    )


def adjustment_input(body: Fields) -> AdjustmentInput:
    lines = None
    if body.raw("Lines") is not None:
        lines = [
            AdjustmentLineInput(
                product_id=line.text("ProductID"),
                sku=line.text("SKU"),
                quantity=line.decimal("Quantity"),
                unit_cost=line.decimal("UnitCost"),
                location=line.text("Location"),
                location_id=line.text("LocationID"),
                batch=line.text("BatchSN"),
                expiry=line.time("ExpiryDate"),
                bin=line.text("Bin"),
                comment=line.text("Comments") or "",
            )
            for line in body.objects("Lines")
        ]
    return AdjustmentInput(
        task_id=body.text("TaskID"),
        effective_date=body.time("EffectiveDate"),
        status=body.text("Status"),
        reference=body.text("Reference") or "",
        comment=body.text("Comment") or "",
        account_code=body.text("Account") or "",
        update_on_hand=body.flag("UpdateOnHand"),
        lines=lines,
    )


def webhook_input(body: Fields) -> WebhookInput:
    headers = [
        (header.text("Key") or "", header.text("Value") or "")
        for header in body.objects("ExternalHeaders")
    ]
    if any(not key for key, _ in headers):
        raise Cin7Error("ExternalHeaders is invalid")
    return WebhookInput(
        id=body.text("ID"),
        type=body.text("Type"),
        url=body.text("ExternalURL"),
        is_active=body.flag("IsActive", default=True),
        auth_type=body.text("ExternalAuthorizationType"),
        user_name=body.text("ExternalUserName") or "",
        password=body.text("ExternalPassword") or "",
        bearer_token=body.text("ExternalBearerToken") or "",
        headers=headers,
    )
