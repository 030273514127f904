"""CIN7 JSON documents for accounts, products, stock, adjustments and webhooks."""

from __future__ import annotations

from typing import Any

from tillsync.emulators.cin7.records import (
    Account,
    Adjustment,
    AdjustmentLine,
    Customer,
    Location,
    Product,
    StockRow,
    Webhook,
)

Document = dict[str, Any]


def me_document(account: Account) -> Document:
    return {
        "Company": account.company,
        "Currency": account.currency,
        "TimeZone": "(UTC) Coordinated Universal Time",
        "LockDate": None,
        "TaxCalculationMethod": "Line Level",
        "DefaultSaleTaxRuleName": "Tax Exempt",
        "DefaultPurchaseTaxRuleName": "Tax Exempt",
        "MaximumDecimalPlacesInQuantity": 4,
    }


def product_document(product: Product) -> Document:
    tiers = {f"Tier {n}": price for n, price in enumerate(product.price_tiers, start=1)}
    return {
        "ID": product.id,
        "SKU": product.sku,
        "Name": product.name,
        "Category": product.category,
        "Brand": product.brand,
        "Type": product.type,
        "CostingMethod": product.costing_method,
        "DropShipMode": "No Drop Ship",
        "DefaultLocation": product.default_location,
        "UOM": product.uom,
        "Barcode": product.barcode,
        "MinimumBeforeReorder": product.minimum_before_reorder,
        "ReorderQuantity": product.reorder_quantity,
        **{f"PriceTier{n}": price for n, price in enumerate(product.price_tiers, start=1)},
        "PriceTiers": tiers,
        "AverageCost": product.average_cost,
        "ShortDescription": None,
        "Description": product.description,
        "Status": product.status,
        "Tags": product.tags,
        "Sellable": True,
        "LastModifiedOn": product.last_modified,
    }


def availability_row(product: Product, row: StockRow) -> Document:
    return {
        "ID": product.id,
        "SKU": product.sku,
        "Name": product.name,
        "Barcode": product.barcode,
        "Location": row.location.name,
        "Bin": row.bin,
        "Batch": row.batch,
        "ExpiryDate": row.expiry,
        "OnHand": row.on_hand,
        "Allocated": row.allocated,
        "Available": row.available,
        "OnOrder": row.on_order,
        # GUESS (cin7-core.md §3): StockOnHand is the stock's value at average cost.
        "StockOnHand": row.on_hand * product.average_cost,
        "InTransit": row.in_transit,
        "NextDeliveryDate": None,
    }


def stock_webhook_row(product: Product, row: StockRow) -> Document:
    document = availability_row(product, row)
    del document["InTransit"], document["NextDeliveryDate"]
    document["Category"] = product.category
    return document


def location_document(location: Location) -> Document:
    return {
        "ID": location.id,
        "Name": location.name,
        "IsDefault": location.is_default,
        "IsDeprecated": location.is_deprecated,
        "ParentID": None,
        "ReferenceCount": 0,
        "AddressLine1": "",
        "AddressLine2": "",
        "AddressCitySuburb": "",
        "AddressStateProvince": "",
        "AddressZipPostCode": "",
        "AddressCountry": "",
        "PickZones": "",
        "Bins": [
            {"ID": b.id, "Name": b.name, "IsDeprecated": False, "IsStaging": b.is_staging}
            for b in location.bins
        ],
    }


def customer_document(customer: Customer) -> Document:
    return {
        "ID": customer.id,
        "Name": customer.name,
        "Status": customer.status,
        "Currency": customer.currency,
        "PaymentTerm": customer.payment_term,
        "TaxRule": customer.tax_rule,
        "PriceTier": customer.price_tier,
        "Location": customer.location,
        "Discount": 0,
        "CreditLimit": 0,
        "IsOnCreditHold": False,
        "AccountReceivable": "1200",
        "RevenueAccount": "4000",
        "Tags": "",
        "LastModifiedOn": customer.last_modified,
        "Addresses": [],
        "Contacts": [],
    }


def _adjustment_line(line: AdjustmentLine) -> Document:
    document: Document = {
        "ProductID": line.product.id,
        "SKU": line.product.sku,
        "ProductName": line.product.name,
        "Location": line.location.name,
        "LocationID": line.location.id,
        "Bin": line.bin,
        "BatchSN": line.batch,
        "ExpiryDate": line.expiry,
        "Quantity": line.quantity,
        "UnitCost": line.unit_cost,
        "Comments": line.comment,
    }
    if line.existing_on_hand is not None:
        document["QuantityOnHand"] = line.existing_on_hand
        document["Available"] = line.existing_available
        document["Adjustment"] = line.quantity - line.existing_on_hand
    return document


def adjustment_document(adjustment: Adjustment) -> Document:
    return {
        **adjustment_list_row(adjustment),
        "UpdateOnHand": adjustment.update_on_hand,
        "ExistingStockLines": [
            _adjustment_line(line) for line in adjustment.lines if line.existing_on_hand is not None
        ],
        "NewStockLines": [
            _adjustment_line(line) for line in adjustment.lines if line.existing_on_hand is None
        ],
        "Transactions": [],
    }


def adjustment_list_row(adjustment: Adjustment) -> Document:
    return {
        "TaskID": adjustment.task_id,
        "EffectiveDate": adjustment.effective_date,
        "StocktakeNumber": adjustment.number,
        "Status": adjustment.status,
        "Account": adjustment.account_code,
        "Reference": adjustment.reference,
        "Comment": adjustment.comment,
    }


def webhook_document(webhook: Webhook) -> Document:
    return {
        "ID": webhook.id,
        "Type": webhook.type,
        "Name": webhook_label(webhook.type),
        "IsActive": webhook.is_active,
        "ExternalURL": webhook.url,
        "ExternalAuthorizationType": webhook.auth_type,
        # The real API echoes the secrets back (cin7-core.md §6).
        "ExternalUserName": webhook.user_name,
        "ExternalPassword": webhook.password,
        "ExternalBearerToken": webhook.bearer_token,
        "ExternalHeaders": [{"Key": key, "Value": value} for key, value in webhook.headers],
    }


def webhook_label(event_type: str) -> str:
    """`Sale/OrderAuthorised` → `Sale Order Authorised`; CIN7 sets Name itself."""
    words: list[str] = []
    for part in event_type.split("/"):
        word = ""
        for char in part:
            if char.isupper() and word:
                words.append(word)
                word = ""
            word += char
        words.append(word)
    return " ".join(words)
