"""GET /api/catalog: the tenant's products with their available-to-sell figure per location."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from tillsync.api.answers import ok
from tillsync.api.answers.catalog import CatalogPage, catalog_page_json
from tillsync.api.deps import CallerDep, HubDep
from tillsync.api.routing import KeyFirstRoute
from tillsync.services.products import catalog_page

router = APIRouter(route_class=KeyFirstRoute, tags=["catalog"])
MAX_LIMIT = 500
MAX_OFFSET = 1_000_000
PRINTABLE = r"^[^\x00-\x1f\x7f]*$"  # PostgreSQL refuses NUL in text: refused here, not a 500


@router.get(
    "/api/catalog",
    summary="Products by SKU, searched and paged, with stock per location",
    response_model=None,
    responses=ok(CatalogPage),
)
async def catalog(
    hub: HubDep,
    caller: CallerDep,
    *,
    search: Annotated[
        str | None,
        Query(max_length=100, pattern=PRINTABLE, description="Part of a SKU, name or barcode"),
    ] = None,
    active: Annotated[
        bool | None, Query(description="Only active (true) or inactive (false) products")
    ] = None,
    location: Annotated[
        str | None,
        Query(max_length=200, pattern=PRINTABLE, description="Only this location's figures"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> dict[str, Any]:
    page = await catalog_page(
        hub.uows,
        caller.tenant_id,
        search=search.strip() if search else None,
        active=active,
        location=location,
        limit=limit,
        offset=offset,
        model=hub.stock,
    )
    return catalog_page_json(page)
