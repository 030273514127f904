"""Answer of GET /api/catalog: products with their stock per location, figures as numbers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from pydantic import Field

from tillsync.api.answers import Answer, paged, when
from tillsync.api.numbers import STOCK_FIGURES, number, wire
from tillsync.services import products, stock_rows
from tillsync.services.event_payloads import stock_payload

Figure = float
"""A figure as a JSON number: whole ones as integers (`7`), others as decimals (`1.5`)."""


class LocationStock(Answer):
    sku: str
    location: str
    available_to_sell: Figure
    warehouse_available: Figure
    pending: Figure
    reserved: Figure
    as_of: dt.datetime | None = Field(description="When the warehouse reported its figure")


class CatalogProduct(Answer):
    id: str
    sku: str
    name: str
    barcode: str | None
    price: Figure | None
    reorder_level: Figure
    active: bool
    available_to_sell: Figure = Field(description="Summed over the locations shown")
    locations: list[LocationStock]


class CatalogPage(Answer):
    products: list[CatalogProduct]
    total: int = Field(description="Products matching in all, past this page too")
    limit: int
    offset: int
    asOf: dt.datetime = Field(
        description="How fresh the figures are, as a stock check's `asOf`: every change "
        "committed before this time is counted (at most `TILLSYNC_STOCK_FRESHNESS_SECONDS` "
        "old, one second by default)"
    )


def catalog_page_json(page: products.CatalogPage) -> dict[str, Any]:
    rows = [_product_json(product) for product in page.products]
    return paged("products", rows, page) | {"asOf": when(page.as_of)}


def location_stock_json(stock: stock_rows.LocationStock) -> dict[str, Any]:
    """A `stock.changed` payload as the stream sends it: one shape (services/event_payloads)."""
    return wire(stock_payload(stock), text=STOCK_FIGURES)


def _product_json(product: products.CatalogProduct) -> dict[str, Any]:
    return {
        "id": product.id,
        "sku": product.sku,
        "name": product.name,
        "barcode": product.barcode,
        "price": _figure(product.price),
        "reorder_level": number(product.reorder_level),
        "active": product.active,
        "available_to_sell": number(product.available_to_sell),
        "locations": [location_stock_json(stock) for stock in product.locations],
    }


def _figure(figure: Decimal | None) -> int | float | None:
    return number(figure) if figure is not None else None
