"""The CIN7 endpoints: each reads its parameters, calls the state, returns a document.

Handlers do no I/O and raise `Cin7Error` for refusals; `app.py` does the rest.
"""

from __future__ import annotations

from collections.abc import Callable

from tillsync.emulators.cin7 import bodies
from tillsync.emulators.cin7.documents import (
    Document,
    adjustment_document,
    adjustment_list_row,
    availability_row,
    customer_document,
    location_document,
    me_document,
    product_document,
    webhook_document,
)
from tillsync.emulators.cin7.errors import required
from tillsync.emulators.cin7.records import Account
from tillsync.emulators.cin7.sale_documents import (
    fulfilment_document,
    invoice_document,
    order_document,
    sale_document,
    sale_list_row,
)
from tillsync.emulators.cin7.sales import SaleFilter
from tillsync.emulators.cin7.state import Cin7State
from tillsync.emulators.cin7.stock import AvailabilityFilter
from tillsync.emulators.cin7.wire import Fields

Handler = Callable[[Cin7State, Account, Fields, Fields], object]


def me(state: Cin7State, account: Account, query: Fields, body: Fields) -> object:
    return me_document(account)


def list_products(state: Cin7State, account: Account, query: Fields, body: Fields) -> object:
    page, limit = query.page()
    total, products = state.catalog.list_products(
        account,
        id=query.text("ID"),
        sku=query.text("Sku"),
        name=query.text("Name"),
        modified_since=query.time("ModifiedSince"),
        include_deprecated=query.flag("IncludeDeprecated"),
        page=page,
        limit=limit,
    )
    return {"Total": total, "Page": page, "Products": [product_document(p) for p in products]}


def _one_product(document: Document) -> Document:
    return {"Total": 1, "Page": 1, "Products": [document]}


def create_product(state: Cin7State, account: Account, query: Fields, body: Fields) -> object:
    product = state.catalog.create_product(account, bodies.product_input(body))
    return _one_product(product_document(product))


def update_product(state: Cin7State, account: Account, query: Fields, body: Fields) -> object:
    product = state.catalog.update_product(account, bodies.product_input(body))
    return _one_product(product_document(product))


def availability(state: Cin7State, account: Account, query: Fields, body: Fields) -> object:
    """`ModifiedSince` is accepted and ignored, as on the real API."""
    page, limit = query.page()
    where = AvailabilityFilter(
        id=query.text("ID"),
        name=query.text("Name"),
        sku=query.text("Sku"),
        location=query.text("Location"),
        batch=query.text("Batch"),
        category=query.text("Category"),
    )
    total, rows = state.stock.availability(account, where, page=page, limit=limit)
    return {
        "Total": total,
        "Page": page,
        "ProductAvailabilityList": [availability_row(product, row) for product, row in rows],
    }


def locations(state: Cin7State, account: Account, query: Fields, body: Fields) -> object:
    page, limit = query.page()
    total, found = state.catalog.list_locations(
        account, id=query.text("ID"), name=query.text("Name"), page=page, limit=limit
    )
    return {"Total": total, "Page": page, "LocationList": [location_document(x) for x in found]}


def customers(state: Cin7State, account: Account, query: Fields, body: Fields) -> object:
    page, limit = query.page()
    total, found = state.catalog.list_customers(
        account,
        id=query.text("ID"),
        name=query.text("Name"),
        modified_since=query.time("ModifiedSince"),
        page=page,
        limit=limit,
    )
    return {"Total": total, "Page": page, "CustomerList": [customer_document(c) for c in found]}


def get_sale(state: Cin7State, account: Account, query: Fields, body: Fields) -> object:
    return sale_document(state.sales.get(account, query.text("ID")))


def create_sale(state: Cin7State, account: Account, query: Fields, body: Fields) -> object:
    return sale_document(state.sales.create(account, bodies.sale_input(body)))


def void_sale(state: Cin7State, account: Account, query: Fields, body: Fields) -> object:
    sale = state.sales.void(account, query.text("ID"), void=query.flag("Void"))
    return sale_document(sale)


def get_order(state: Cin7State, account: Account, query: Fields, body: Fields) -> object:
    return order_document(state.sales.get(account, query.text("SaleID")))


def set_order(state: Cin7State, account: Account, query: Fields, body: Fields) -> object:
    return order_document(state.sales.set_order(account, bodies.order_input(body)))


def _fulfilment(stage: str) -> Handler:
    def handle(state: Cin7State, account: Account, query: Fields, body: Fields) -> object:
        sale = state.sales.fulfil(account, stage, bodies.fulfilment_input(body, stage))
        document = fulfilment_document(sale)
        return {"TaskID": sale.id, **document[stage.title()]}

    return handle


def invoice(state: Cin7State, account: Account, query: Fields, body: Fields) -> object:
    sale = state.sales.invoice(account, bodies.invoice_input(body))
    assert sale.invoice is not None
    return {"SaleID": sale.id, "Invoices": [invoice_document(sale.invoice)]}


def sale_list(state: Cin7State, account: Account, query: Fields, body: Fields) -> object:
    page, limit = query.page()
    where = SaleFilter(
        external_id=query.text("ExternalID"),
        search=query.text("Search"),
        status=query.text("Status"),
        order_status=query.text("OrderStatus"),
        updated_since=query.time("UpdatedSince"),
        created_since=query.time("CreatedSince"),
    )
    total, sales = state.sales.list(account, where, page=page, limit=limit)
    return {"Total": total, "Page": page, "SaleList": [sale_list_row(s) for s in sales]}


def get_adjustment(state: Cin7State, account: Account, query: Fields, body: Fields) -> object:
    return adjustment_document(state.stock.get_adjustment(account, query.text("TaskID")))


def create_adjustment(state: Cin7State, account: Account, query: Fields, body: Fields) -> object:
    data = bodies.adjustment_input(body)
    data.task_id = None
    return adjustment_document(state.stock.save_adjustment(account, data))


def update_adjustment(state: Cin7State, account: Account, query: Fields, body: Fields) -> object:
    data = bodies.adjustment_input(body)
    if not data.task_id:
        raise required("TaskID")
    return adjustment_document(state.stock.save_adjustment(account, data))


def list_adjustments(state: Cin7State, account: Account, query: Fields, body: Fields) -> object:
    page, limit = query.page()
    total, found = state.stock.list_adjustments(
        account, status=query.text("Status"), page=page, limit=limit
    )
    return {
        "Total": total,
        "Page": page,
        "StockAdjustmentList": [adjustment_list_row(a) for a in found],
    }


def list_webhooks(state: Cin7State, account: Account, query: Fields, body: Fields) -> object:
    return {"Webhooks": [webhook_document(w) for w in state.subscriptions.list(account)]}


def create_webhook(state: Cin7State, account: Account, query: Fields, body: Fields) -> object:
    webhook = state.subscriptions.save(account, bodies.webhook_input(body), creating=True)
    return {"Webhooks": [webhook_document(webhook)]}


def replace_webhook(state: Cin7State, account: Account, query: Fields, body: Fields) -> object:
    webhook = state.subscriptions.save(account, bodies.webhook_input(body), creating=False)
    return {"Webhooks": [webhook_document(webhook)]}


def delete_webhook(state: Cin7State, account: Account, query: Fields, body: Fields) -> object:
    state.subscriptions.delete(account, query.text("ID"))
    return {"Webhooks": []}


ROUTES: dict[str, dict[str, Handler]] = {
    "/me": {"GET": me},
    "/product": {"GET": list_products, "POST": create_product, "PUT": update_product},
    "/ref/productavailability": {"GET": availability},
    "/ref/location": {"GET": locations},
    "/customer": {"GET": customers},
    "/sale": {"GET": get_sale, "POST": create_sale, "DELETE": void_sale},
    "/sale/order": {"GET": get_order, "POST": set_order},
    "/sale/fulfilment/pick": {"POST": _fulfilment("pick")},
    "/sale/fulfilment/pack": {"POST": _fulfilment("pack")},
    "/sale/fulfilment/ship": {"POST": _fulfilment("ship")},
    "/sale/invoice": {"POST": invoice},
    "/salelist": {"GET": sale_list},
    "/stockadjustment": {
        "GET": get_adjustment,
        "POST": create_adjustment,
        "PUT": update_adjustment,
    },
    "/stockadjustmentlist": {"GET": list_adjustments},
    "/webhooks": {
        "GET": list_webhooks,
        "POST": create_webhook,
        "PUT": replace_webhook,
        "DELETE": delete_webhook,
    },
}
