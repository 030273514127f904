"""Answer of GET /api/catalog: products with their stock per location, figures as numbers."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from tillsync.api.answers import Answer

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
