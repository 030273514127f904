"""CIN7 JSON documents for a sale and its order, fulfilment, invoice and list row."""

from __future__ import annotations

from decimal import Decimal

from tillsync.emulators.cin7.documents import Document
from tillsync.emulators.cin7.records import AUTHORISED, ZERO, Invoice, Sale, SaleLine

SALE_ACCOUNT = "4000"


def _line(line: SaleLine) -> Document:
    return {
        "ProductID": line.product.id,
        "SKU": line.product.sku,
        "Name": line.name,
        "Quantity": line.quantity,
        "Price": line.price,
        "Discount": line.discount,
        "Tax": line.tax,
        "AverageCost": line.product.average_cost,
        "TaxRule": line.tax_rule,
        "Comment": line.comment,
        "DropShip": False,
        "BackorderQuantity": line.backorder,
        "Total": line.total,
    }


def _totals(lines: list[SaleLine]) -> Document:
    before_tax = sum((line.total for line in lines), ZERO)
    tax = sum((line.tax for line in lines), ZERO)
    return {"TotalBeforeTax": before_tax, "Tax": tax, "Total": before_tax + tax}


def order_document(sale: Sale) -> Document:
    return {
        "SaleID": sale.id,
        "SaleOrderNumber": sale.order_number,
        "Memo": sale.order_memo,
        "Status": sale.order_status,
        "AutoPickPackShipMode": sale.auto_mode,
        "Lines": [_line(line) for line in sale.lines],
        "AdditionalCharges": [],
        **_totals(sale.lines),
    }


def _picked_lines(sale: Sale, *, box: bool) -> list[Document]:
    lines: list[Document] = []
    for line in sale.lines:
        for allocation in line.allocations:
            document: Document = {
                "ProductID": line.product.id,
                "SKU": line.product.sku,
                "Name": line.name,
                "Location": allocation.row.location.name,
                "LocationID": allocation.row.location.id,
                "Quantity": allocation.quantity,
                "BatchSN": allocation.row.batch,
                "ExpiryDate": allocation.row.expiry,
                "Bin": allocation.row.bin,
            }
            if box:
                document["Box"] = "1"
            lines.append(document)
    return lines


def fulfilment_document(sale: Sale) -> Document:
    shipped = sale.ship_status == AUTHORISED
    return {
        "TaskID": sale.id,
        "FulfillmentNumber": 1,
        "LinkedInvoiceNumber": None if sale.invoice is None else sale.invoice.number,
        "FulFilmentStatus": "FULFILLED" if shipped else "NOT FULFILLED",
        "Pick": {"Status": sale.pick_status, "Lines": _picked_lines(sale, box=False)},
        "Pack": {"Status": sale.pack_status, "Lines": _picked_lines(sale, box=True)},
        "Ship": {
            "Status": sale.ship_status,
            "RequireBy": sale.ship_by,
            "ShippingAddress": None,
            "ShippingNotes": "",
            "Lines": (
                [
                    {
                        "ShipmentDate": sale.last_modified,
                        "Carrier": "",
                        "Box": "1",
                        "TrackingNumber": "",
                        "TrackingURL": "",
                        "IsShipped": True,
                    }
                ]
                if shipped
                else []
            ),
        },
    }


def invoice_document(invoice: Invoice) -> Document:
    return {
        "TaskID": invoice.task_id,
        "InvoiceNumber": invoice.number,
        "Memo": invoice.memo,
        "Status": invoice.status,
        "InvoiceDate": invoice.invoice_date,
        "InvoiceDueDate": invoice.due_date,
        "CurrencyConversionRate": Decimal(1),
        "LinkedFulfillmentNumber": "1",
        "Lines": [{**_line(line), "Account": SALE_ACCOUNT} for line in invoice.lines],
        "AdditionalCharges": [],
        "Payments": [],
        **_totals(invoice.lines),
        "Paid": ZERO,
    }


def _combined(sale: Sale) -> Document:
    invoice_status = "NOT AVAILABLE" if sale.invoice is None else sale.invoice.status
    return {
        "CombinedPickingStatus": sale.combined(sale.pick_status, "PICKED", "PICKING", "NOT PICKED"),
        "CombinedPackingStatus": sale.combined(sale.pack_status, "PACKED", "PACKING", "NOT PACKED"),
        "CombinedShippingStatus": sale.combined(
            sale.ship_status, "SHIPPED", "SHIPPING", "NOT SHIPPED"
        ),
        "CombinedInvoiceStatus": sale.combined(invoice_status, "INVOICED", "DRAFT", "NOT INVOICED"),
        "CombinedPaymentStatus": "UNPAID",
        "FulFilmentStatus": "FULFILLED" if sale.ship_status == AUTHORISED else "NOT FULFILLED",
    }


def sale_document(sale: Sale) -> Document:
    return {
        "ID": sale.id,
        "Customer": sale.customer.name,
        "CustomerID": sale.customer.id,
        "Contact": "",
        "Phone": "",
        "Email": "",
        "DefaultAccount": SALE_ACCOUNT,
        "SkipQuote": sale.skip_quote,
        "BillingAddress": None,
        "ShippingAddress": None,
        "ShippingNotes": "",
        "BaseCurrency": sale.customer.currency,
        "CustomerCurrency": sale.customer.currency,
        "TaxRule": sale.tax_rule,
        "TaxInclusive": sale.tax_inclusive,
        "Terms": sale.customer.payment_term,
        "PriceTier": sale.customer.price_tier,
        "ShipBy": sale.ship_by,
        "Location": sale.location.name,
        "SaleOrderDate": sale.order_date,
        "LastModifiedOn": sale.last_modified,
        "Note": sale.note,
        "CustomerReference": sale.customer_reference,
        "COGSAmount": ZERO,
        "Status": sale.status(),
        **_combined(sale),
        "CombinedTrackingNumbers": "",
        "Carrier": "",
        "CurrencyRate": Decimal(1),
        "SalesRepresentative": "",
        "ServiceOnly": False,
        "Type": "Simple Sale",
        "SourceChannel": None,
        "ExternalID": sale.external_id,
        "Quote": {
            "Memo": "",
            "Status": "SKIPPED" if sale.skip_quote else "DRAFT",
            "Prepayments": [],
            "Lines": [],
            "AdditionalCharges": [],
            **_totals([]),
        },
        "Order": order_document(sale),
        "Fulfilments": [fulfilment_document(sale)] if sale.order_authorised else [],
        "Invoices": [] if sale.invoice is None else [invoice_document(sale.invoice)],
        "CreditNotes": [],
        "AdditionalAttributes": None,
    }


def sale_list_row(sale: Sale) -> Document:
    invoice = sale.invoice
    totals = _totals(sale.lines)
    return {
        "SaleID": sale.id,
        "OrderNumber": sale.order_number,
        "Status": sale.status(),
        "OrderDate": sale.order_date,
        "InvoiceDate": None if invoice is None else invoice.invoice_date,
        "Customer": sale.customer.name,
        "CustomerID": sale.customer.id,
        "InvoiceNumber": None if invoice is None else invoice.number,
        "CustomerReference": sale.customer_reference,
        "InvoiceAmount": ZERO if invoice is None else _totals(invoice.lines)["Total"],
        "PaidAmount": ZERO,
        "InvoiceDueDate": None if invoice is None else invoice.due_date,
        "ShipBy": sale.ship_by,
        "BaseCurrency": sale.customer.currency,
        "CustomerCurrency": sale.customer.currency,
        "CreditNoteNumber": None,
        "Updated": sale.last_modified,
        "QuoteStatus": "SKIPPED" if sale.skip_quote else "DRAFT",
        "OrderStatus": sale.order_status,
        **_combined(sale),
        "CombinedTrackingNumbers": "",
        "Type": "Simple Sale",
        "SourceChannel": None,
        "ExternalID": sale.external_id,
        "OrderLocationID": sale.location.id,
        "OrderTotal": totals["Total"],
    }
