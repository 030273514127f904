"""Sale webhook payloads: thin, and keyed differently per event (cin7-core.md §6)."""

from __future__ import annotations

from typing import Any

from tillsync.emulators.cin7.records import Account, Sale

STAGE_EVENTS = {
    "pick": "Sale/PickAuthorised",
    "pack": "Sale/PackAuthorised",
    "ship": "Sale/ShipmentAuthorised",
}
TASK_EVENTS = ("Sale/PickAuthorised", "Sale/PackAuthorised")
SHIPMENT_EVENTS = ("Sale/ShipmentAuthorised", "Sale/InvoiceAuthorised")


def sale_event(account: Account, sale: Sale, event_type: str) -> dict[str, Any]:
    """Order-level events carry `SaleID`; fulfilment and invoice ones `SaleTaskID`.

    For a simple sale the task is the sale itself, so `SaleTaskID` and `TaskID` are the
    sale's ID. Sale/Created, Voided, Backordered and Undo payloads are a GUESS.
    """
    if event_type not in TASK_EVENTS + SHIPMENT_EVENTS:
        return {"SaleID": sale.id, "SaleOrderNumber": sale.order_number, "EventType": event_type}
    payload: dict[str, Any] = {
        "SaleTaskID": sale.id,
        "TenantID": account.id,
        "OrderNumber": sale.order_number,
        "Customer": sale.customer.name,
        "CustomerID": sale.customer.id,
    }
    if event_type in TASK_EVENTS:
        payload["TaskID"] = sale.id
    if sale.invoice is not None:
        payload["InvoiceNumber"] = sale.invoice.number
    payload["EventType"] = event_type
    return payload
