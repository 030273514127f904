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
from tillsync.emulators.cin7.wire import Fields, list_page

Handler = Callable[[Cin7State, Account, Fields, Fields], object]


def me(state: Cin7State, account: Account, query: Fields, body: Fields) -> object:
    return me_document(account)


def list_products(state: Cin7State, account: Account, query: Fields, body: Fields) -> object:
    found = state.catalog.list_products(
        account,
        id=query.text("ID"),
        sku=query.text("Sku"),
        name=query.text("Name"),
        modified_since=query.time("ModifiedSince"),
        include_deprecated=query.flag("IncludeDeprecated"),
    )
    return list_page(query, found, key="Products", document=product_document)


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
    where = AvailabilityFilter(
        id=query.text("ID"),
        name=query.text("Name"),
        sku=query.text("Sku"),
        location=query.text("Location"),
        batch=query.text("Batch"),
        category=query.text("Category"),
    )
    found = state.stock.availability(account, where)
    return list_page(
        query,
        found,
        key="ProductAvailabilityList",
        document=lambda product_row: availability_row(*product_row),
    )


def locations(state: Cin7State, account: Account, query: Fields, body: Fields) -> object:
    found = state.catalog.list_locations(account, id=query.text("ID"), name=query.text("Name"))
    return list_page(query, found, key="LocationList", document=location_document)


def customers(state: Cin7State, account: Account, query: Fields, body: Fields) -> object:
    found = state.catalog.list_customers(
        account,
        id=query.text("ID"),
        name=query.text("Name"),
        modified_since=query.time("ModifiedSince"),
    )
    return list_page(query, found, key="CustomerList", document=customer_document)


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
    where = SaleFilter(
        external_id=query.text("ExternalID"),
        search=query.text("Search"),
        status=query.text("Status"),
        order_status=query.text("OrderStatus"),
        updated_since=query.time("UpdatedSince"),
        created_since=query.time("CreatedSince"),
    )
    found = state.sales.list(account, where)
    return list_page(query, found, key="SaleList", document=sale_list_row)


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
    found = state.stock.list_adjustments(account, status=query.text("Status"))
    return list_page(query, found, key="StockAdjustmentList", document=adjustment_list_row)


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
