"""A warehouse's products in the hub's catalog: created when new, written where they differ."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from tillsync.domain.catalog import ProductFields
from tillsync.store.database import chunks, insert_all_unless_present
from tillsync.store.tables import Connection, Product, new_id
from tillsync.store.uow import UnitOfWork

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Seen:
    """A SKU the warehouse mentioned: by name only (a stock row) or with every field (a product)."""

    sku: str
    name: str | None
    fields: ProductFields | None = None


async def upsert_products(
    uow: UnitOfWork, connection: Connection, seen: Iterable[Seen]
) -> dict[str, Product]:
    """The catalog rows of these SKUs, created when new and updated where their fields differ.

    A webhook and a pull may meet a new SKU at once: the insert skips rows that exist, and
    the rows are read back, so one row wins. Only products whose fields changed are written.
    """
    latest = {item.sku: item for item in seen}
    products = await _products(uow, connection.tenant_id, list(latest))
    missing = [latest[sku] for sku in sorted(latest) if sku not in products]
    for part in chunks(missing):
        await insert_all_unless_present(
            uow.session,
            Product,
            [_new_product(item, connection, uow.now) for item in part],
        )
    if missing:
        products |= await _products(uow, connection.tenant_id, [item.sku for item in missing])
    for sku, item in latest.items():
        if item.fields is not None:  # new rows hold these already: nothing is written twice
            _take_fields(products[sku], item.fields, connection.id, uow.now)
    await uow.session.flush()
    return products


async def _products(uow: UnitOfWork, tenant_id: str, skus: list[str]) -> dict[str, Product]:
    found: dict[str, Product] = {}
    for part in chunks(skus):
        rows = await uow.session.scalars(
            select(Product).where(Product.tenant_id == tenant_id, Product.sku.in_(part))
        )
        found |= {product.sku: product for product in rows}
    return found


def _new_product(item: Seen, connection: Connection, now: dt.datetime) -> dict[str, Any]:
    values: dict[str, Any] = {
        "id": new_id(),
        "tenant_id": connection.tenant_id,
        "sku": item.sku,
        "name": item.name or item.sku,
        "barcode": None,
        "price": None,
        "reorder_level": ZERO,
        "whole_units": True,
        "active": True,
        "external_ids": {},
        "updated_at": now,
    }
    if item.fields is not None:
        values |= _fields(item.fields, {}, connection.id)
    return values


def _fields(
    fields: ProductFields, external_ids: dict[str, Any], connection_id: str
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": fields.name,
        "barcode": fields.barcode,
        "price": fields.price,
        "reorder_level": fields.reorder_level or ZERO,
        "active": fields.active,
        "whole_units": fields.whole_units,
    }
    if fields.external_id:
        values["external_ids"] = {**external_ids, connection_id: fields.external_id}
    return values


def _take_fields(
    product: Product, fields: ProductFields, connection_id: str, now: dt.datetime
) -> None:
    values = _fields(fields, product.external_ids, connection_id)
    changed = {name: value for name, value in values.items() if getattr(product, name) != value}
    for name, value in changed.items():
        setattr(product, name, value)
    if changed:
        product.updated_at = now
