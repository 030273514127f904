"""Products, categories, locations and customers of an account, with CIN7's rules."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from tillsync.clock import Clock
from tillsync.emulators.cin7.commands import ProductInput
from tillsync.emulators.cin7.documents import product_document
from tillsync.emulators.cin7.errors import Cin7Error
from tillsync.emulators.cin7.events import EventBus
from tillsync.emulators.cin7.records import PRICE_TIER_COUNT, Account, Customer, Location, Product

PRODUCT_UPDATED = "Product/Updated"
PRODUCT_TYPES = ("Stock", "Service")
PRODUCT_STATUSES = ("Active", "Deprecated", "Setup required")
COSTING_METHODS = (
    "FIFO",
    "FIFO - Serial Number",
    "FIFO - Batch",
    "FEFO - Serial Number",
    "FEFO - Batch",
    "Special - Batch",
    "Special - Serial Number",
)
REQUIRED_ON_CREATE = ("sku", "name", "category", "costing_method", "uom", "status", "type")
WIRE_NAMES = {"costing_method": "CostingMethod", "uom": "UOM", "sku": "SKU"}


def _one_of(value: str, allowed: Iterable[str], field: str) -> str:
    for candidate in allowed:
        if candidate.casefold() == value.casefold():
            return candidate
    raise Cin7Error(f"{field} '{value}' is not valid")


class Catalog:
    def __init__(self, *, clock: Clock, events: EventBus) -> None:
        self._clock = clock
        self._events = events

    def list_products(
        self,
        account: Account,
        *,
        id: str | None,
        sku: str | None,
        name: str | None,
        modified_since: dt.datetime | None,
        include_deprecated: bool,
    ) -> list[Product]:
        """`Sku` and `Name` match anywhere in the value, without case (cin7-core.md §2)."""
        sku_part = sku.casefold() if sku else None
        name_part = name.casefold() if name else None
        return [
            product
            for product in account.products.values()
            if (id is None or product.id == id)
            and (include_deprecated or product.status != "Deprecated")
            and (sku_part is None or sku_part in product.sku.casefold())
            and (name_part is None or name_part in product.name.casefold())
            and (modified_since is None or product.last_modified >= modified_since)
        ]

    def create_product(self, account: Account, data: ProductInput) -> Product:
        for field in REQUIRED_ON_CREATE:
            if not getattr(data, field):
                wire = WIRE_NAMES.get(field, field.title())
                raise Cin7Error(f"Required attribute {wire} is not provided.")
        assert data.sku is not None
        assert data.name is not None
        assert data.category is not None
        product = Product(
            id=str(uuid.uuid4()),
            sku=data.sku,
            name=data.name,
            category=data.category,
            last_modified=self._clock.now(),
        )
        self._check_sku(account, data.sku, product)
        self._apply(account, product, data, creating=True)
        account.products[product.id] = product
        account.products_by_sku[product.sku.casefold()] = product
        self._announce(account, product, "Creation")
        return product

    def update_product(self, account: Account, data: ProductInput) -> Product:
        if not data.id:
            raise Cin7Error("Required attribute ID is not provided.")
        product = account.products.get(data.id)
        if product is None:
            raise Cin7Error(f"Product with ID '{data.id}' was not found")
        if data.sku and data.sku != product.sku:
            self._check_sku(account, data.sku, product)
        self._apply(account, product, data, creating=False)
        if data.sku and data.sku != product.sku:
            del account.products_by_sku[product.sku.casefold()]
            product.sku = data.sku
            account.products_by_sku[product.sku.casefold()] = product
        product.last_modified = self._clock.now()
        self._announce(account, product, "Update")
        return product

    def _check_sku(self, account: Account, sku: str, product: Product) -> None:
        if len(sku) > 50:
            raise Cin7Error("SKU length should not exceed 50 characters")
        existing = account.product_by_sku(sku)
        if existing is not None and existing is not product:
            raise Cin7Error(f"Product with SKU '{sku}' already exists")

    def _apply(
        self, account: Account, product: Product, data: ProductInput, *, creating: bool
    ) -> None:
        """Validate everything first, then change the product: nothing half-applied."""
        category = product.category
        if data.category is not None:
            category = account.categories.get(data.category.casefold(), "")
            if not category:
                raise Cin7Error("Category not found.", error_code=404)
        brand = product.brand
        if data.brand:
            brand = account.brands.get(data.brand.casefold(), "")
            if not brand:
                raise Cin7Error(f"Brand '{data.brand}' was not found in reference book")
        kind = _one_of(data.type, PRODUCT_TYPES, "Type") if data.type else product.type
        status = _one_of(data.status, PRODUCT_STATUSES, "Status") if data.status else None
        costing = (
            _one_of(data.costing_method, COSTING_METHODS, "CostingMethod")
            if data.costing_method
            else None
        )
        if any(not 1 <= tier <= PRICE_TIER_COUNT for tier in data.price_tiers):
            raise Cin7Error("PriceTiers is invalid")
        product.category, product.brand = category, brand
        if creating:
            product.type = kind  # read-only on PUT (cin7-core.md §2)
        product.status = status or product.status
        product.costing_method = costing or product.costing_method
        for field in ("name", "uom", "barcode", "default_location", "tags", "description"):
            if getattr(data, field) is not None:
                setattr(product, field, getattr(data, field))
        if data.minimum_before_reorder is not None:
            product.minimum_before_reorder = data.minimum_before_reorder
        if data.reorder_quantity is not None:
            product.reorder_quantity = data.reorder_quantity
        if data.price_tiers:
            tiers = list(product.price_tiers)
            for tier, price in data.price_tiers.items():
                tiers[tier - 1] = price
            product.price_tiers = tuple(tiers)

    def _announce(self, account: Account, product: Product, kind: str) -> None:
        self._events.emit(
            account,
            PRODUCT_UPDATED,
            lambda: {
                "NumberOfProducts": 1,
                "ProductDetailsList": [{"Event": kind, **product_document(product)}],
                "EventType": PRODUCT_UPDATED,
            },
        )

    def list_locations(
        self, account: Account, *, id: str | None, name: str | None
    ) -> list[Location]:
        """`Name` matches the start of the location's name."""
        return [
            location
            for location in account.locations.values()
            if (id is None or location.id == id)
            and (name is None or location.name.casefold().startswith(name.casefold()))
        ]

    def list_customers(
        self,
        account: Account,
        *,
        id: str | None,
        name: str | None,
        modified_since: dt.datetime | None,
    ) -> list[Customer]:
        return [
            customer
            for customer in account.customers.values()
            if (id is None or customer.id == id)
            and (name is None or name.casefold() in customer.name.casefold())
            and (modified_since is None or customer.last_modified >= modified_since)
        ]
