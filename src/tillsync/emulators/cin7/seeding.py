"""What the control surface puts into an account: past CIN7's rules, and sending no webhooks."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from decimal import Decimal

from tillsync.emulators.cin7.commands import ProductSeed
from tillsync.emulators.cin7.records import (
    DEFAULT_BRANDS,
    DEFAULT_CATEGORIES,
    DEFAULT_CUSTOMER,
    DEFAULT_LOCATION,
    PRICE_TIER_COUNT,
    ZERO,
    Account,
    Bin,
    Customer,
    Location,
    Product,
    StockRow,
)


def _new_id() -> str:
    return str(uuid.uuid4())


def seed_defaults(account: Account, *, now: dt.datetime) -> None:
    """What a new account starts with: categories, a brand, a warehouse and a walk-in customer."""
    account.categories = {name.casefold(): name for name in DEFAULT_CATEGORIES}
    account.brands = {name.casefold(): name for name in DEFAULT_BRANDS}
    warehouse = Location(id=_new_id(), name=DEFAULT_LOCATION, is_default=True)
    account.locations = {warehouse.id: warehouse}
    walk_in = Customer(id=_new_id(), name=DEFAULT_CUSTOMER, last_modified=now)
    account.customers = {walk_in.id: walk_in}


def seed_products(
    account: Account, seeds: Iterable[ProductSeed], *, now: dt.datetime
) -> list[Product]:
    """Creates or overwrites products and adds their categories and brands."""
    products: list[Product] = []
    for seed in seeds:
        account.categories.setdefault(seed.category.casefold(), seed.category)
        if seed.brand:
            account.brands.setdefault(seed.brand.casefold(), seed.brand)
        product = account.product_by_sku(seed.sku)
        if product is None:
            product = Product(
                id=_new_id(), sku=seed.sku, name=seed.name, category="", last_modified=now
            )
            account.products[product.id] = product
            account.products_by_sku[seed.sku.casefold()] = product
        product.name, product.category, product.brand = seed.name, seed.category, seed.brand
        product.barcode, product.average_cost = seed.barcode, seed.average_cost
        product.minimum_before_reorder = seed.minimum_before_reorder
        product.price_tiers = (seed.price_tier1, *product.price_tiers[1:])
        product.last_modified = now
        for location_name, quantity in seed.stock.items():
            location = account.location_named(location_name)
            if location is None:
                raise ValueError(f"unknown location {location_name!r}")
            row = product.row(location, None, None)
            if row is None:
                row = StockRow(location=location, bin=None, batch=None, expiry=None)
                product.rows.append(row)
            row.on_hand = quantity
        products.append(product)
    return products


def generate_products(account: Account, *, count: int, prefix: str, now: dt.datetime) -> int:
    """Seed `count` products quickly; every tenth has no stock, so its row is omitted."""
    location = next(loc for loc in account.locations.values() if loc.is_default)
    quantities = [Decimal(n) for n in range(50)]
    prices = [Decimal(n) for n in range(1, 101)]
    tiers = {price: (price, *(ZERO,) * (PRICE_TIER_COUNT - 1)) for price in prices}
    created = 0
    start = len(account.products) + 1
    for n in range(start, start + count):
        sku = f"{prefix}-{n:06d}"
        if sku.casefold() in account.products_by_sku:
            continue
        product = Product(
            id=_new_id(),
            sku=sku,
            name=f"Generated product {n}",
            category="General",
            last_modified=now,
            price_tiers=tiers[prices[n % 100]],
        )
        stock = ZERO if n % 10 == 0 else quantities[n % 50]
        product.rows.append(
            StockRow(location=location, bin=None, batch=None, expiry=None, on_hand=stock)
        )
        account.products[product.id] = product
        account.products_by_sku[sku.casefold()] = product
        created += 1
    return created


def add_location(account: Account, name: str, *, bins: Iterable[str] = ()) -> Location:
    if account.location_named(name) is not None:
        raise ValueError(f"location {name!r} already exists")
    location = Location(id=_new_id(), name=name, bins=[Bin(id=_new_id(), name=b) for b in bins])
    account.locations[location.id] = location
    return location


def add_customer(account: Account, name: str, *, now: dt.datetime) -> Customer:
    if any(c.name.casefold() == name.casefold() for c in account.customers.values()):
        raise ValueError(f"customer {name!r} already exists")
    customer = Customer(id=_new_id(), name=name, last_modified=now)
    account.customers[customer.id] = customer
    return customer
