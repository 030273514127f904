"""Stock: the catalog with each location's figures and marks, searched, refreshed live."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from tillsync.api.deps import HubDep
from tillsync.dashboard.auth import PageViewerDep
from tillsync.dashboard.rendering import Page, page, page_count
from tillsync.domain.alerts import AlertType, alert_for
from tillsync.domain.ledger import StockFigures
from tillsync.services.products import CatalogProduct, catalog_page
from tillsync.services.stock_rows import LocationStock

PAGE = Page("Stock", "/stock")
PAGE_SIZE = 50
router = APIRouter(include_in_schema=False)


@dataclass(frozen=True, slots=True)
class StockLine:
    """A product's figures at one location, marked out of stock or low as its alerts are."""

    stock: LocationStock
    mark: AlertType | None


@dataclass(frozen=True, slots=True)
class ProductLines:
    product: CatalogProduct
    lines: tuple[StockLine, ...]


def lines_of(product: CatalogProduct) -> ProductLines:
    """Marks follow the alert rule itself: net stock against the product's reorder level."""

    def mark(stock: LocationStock) -> AlertType | None:
        net = StockFigures(stock.warehouse_available, stock.pending, stock.reserved).net_stock
        return alert_for(net, product.reorder_level)

    return ProductLines(
        product, tuple(StockLine(stock, mark(stock)) for stock in product.locations)
    )


@router.get(PAGE.path, response_class=HTMLResponse)
async def stock(
    request: Request,
    hub: HubDep,
    viewer: PageViewerDep,
    q: Annotated[str, Query(max_length=200, description="SKU, name or barcode contains")] = "",
    page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    found = await catalog_page(
        hub.uows,
        viewer.tenant_id,
        search=q.strip() or None,
        active=None,
        location=None,
        limit=PAGE_SIZE,
        offset=(page_number - 1) * PAGE_SIZE,
        model=hub.stock,
    )
    return await page(
        request,
        "stock.html",
        viewer,
        current=PAGE,
        q=q,
        products=[lines_of(product) for product in found.products],
        total=found.total,
        page_number=page_number,
        pages=page_count(found.total, PAGE_SIZE),
    )
