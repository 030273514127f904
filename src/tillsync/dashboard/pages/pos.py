"""The POS integration: its settings, its item mapping onto the POS's own catalog, and a
"Connect" form for each provider of the registry the business may connect.

Settings and mapping are saved by `services.pos.change`, as `PUT /api/v1/pos/integration/
{businessId}` and its `/item-mapping` save them. A Connect button posts here; for a
provider with OAuth the hub starts the shared flow and sends the browser to the provider,
whose callback (`/api/v1/pos/oauth/{provider}/callback`) connects and sends the browser
back here (`?connected=<provider>`, or `?refused=<provider>`, or `?pending=<signed>` when
the merchant must choose, which organization: the page offers the provider's choices and
posts the one picked). The page's CSP lets its forms go to those providers' consent
screens (`form-action`), as a redirected form must be allowed to. A provider taking keys
gets a form with the keys it declares, connected as seed 004's connect does.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from tillsync.api.deps import HubDep
from tillsync.api.state import health_cache
from tillsync.connectors.contract import Provider
from tillsync.dashboard.auth import ActingViewerDep, PageViewerDep, Viewer, page_viewer
from tillsync.dashboard.rendering import HEADERS, Page, page
from tillsync.errors import ClientError, InvalidInput, InvalidState, NotFound, TillsyncError
from tillsync.services import pos
from tillsync.services.connect_offers import connect_offers
from tillsync.services.connections import choices, oauth
from tillsync.services.pos import POS_ROLE
from tillsync.services.pos_catalog import PosCatalog, pos_catalog

PAGE = Page("POS", "/pos")
BLANK_ROWS = 3
MAX_ROWS = 10_000
router = APIRouter(include_in_schema=False)
ProviderName = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[a-z0-9_-]+$")]


@router.get(PAGE.path, response_class=HTMLResponse)
async def integration(
    request: Request,
    hub: HubDep,
    viewer: PageViewerDep,
    *,
    saved: str | None = None,
    connected: str | None = None,
    refused: str | None = None,
    pending: Annotated[str | None, Query(max_length=2000)] = None,
) -> HTMLResponse:
    """`connected` / `refused` name the provider whose consent flow just came back here;
    `pending` a consent waiting for the merchant's choice."""
    known = {provider.name: provider.title for provider in hub.services.providers}
    choosing, problem = None, None
    if pending is not None:
        try:
            choosing = await choices.waiting(
                hub.services, tenant_id=viewer.tenant_id, provider=None, pending=pending
            )
        except InvalidState as exc:
            problem = exc
    return await _page(
        request,
        hub,
        viewer,
        saved=saved in ("settings", "mapping") and saved,
        connected=known.get(connected or ""),
        refused=known.get(refused or ""),
        choosing=choosing,
        problem=problem,
        status=problem.status_code if problem else 200,
    )


@router.post(PAGE.path + "/settings")
async def change_settings(request: Request, hub: HubDep, viewer: ActingViewerDep) -> Response:
    form = await request.form()
    given: dict[str, object] = {
        "auto_sync_orders": form.get("auto_sync_orders") == "on",
        "sync_customer_info": form.get("sync_customer_info") == "on",
    }
    location = form.get("location_id")
    if isinstance(location, str) and location.strip():
        given["location_id"] = location.strip()
    return await _change(request, hub, viewer, given, saved="settings")


@router.post(PAGE.path + "/item-mapping")
async def change_mapping(request: Request, hub: HubDep, viewer: ActingViewerDep) -> Response:
    try:
        mapping = _mapping(await request.form())
    except InvalidInput as exc:
        return await _page(
            request, hub, await page_viewer(request, viewer), problem=exc, status=422
        )
    return await _change(request, hub, viewer, {"item_mapping": mapping}, saved="mapping")


@router.post(PAGE.path + "/connect/{provider}")
async def connect(
    request: Request, hub: HubDep, viewer: ActingViewerDep, provider: ProviderName
) -> Response:
    """Start the provider's consent flow and send the browser there, or connect with the
    keys the form carries."""
    try:
        declared = hub.services.providers.get(provider)
        if declared.oauth is None:
            await _connect_with_keys(hub, viewer, declared, await request.form())
            health_cache(request, declared.name).forget(viewer.tenant_id)
            return RedirectResponse(f"{PAGE.path}?connected={declared.name}", status_code=303)
        url = await oauth.start(
            hub.services, tenant_id=viewer.tenant_id, provider=declared.name, back=PAGE.path
        )
    except ClientError as exc:
        return await _page(
            request, hub, await page_viewer(request, viewer), problem=exc, status=exc.status_code
        )
    return RedirectResponse(url, status_code=303)


@router.post(PAGE.path + "/connect/{provider}/choice")
async def choose(
    request: Request, hub: HubDep, viewer: ActingViewerDep, provider: ProviderName
) -> Response:
    """Complete a consent that waited for the merchant's choice."""
    form = await request.form()
    pending = form.get(choices.PENDING)
    given = {name: value for name, value in form.items() if isinstance(value, str)}
    try:
        await choices.choose(
            hub.services,
            tenant_id=viewer.tenant_id,
            provider=provider,
            pending=pending if isinstance(pending, str) else None,
            given=given,
        )
    except ClientError as exc:
        shown_to = await page_viewer(request, viewer)
        try:  # still parked (a value it did not offer): offer the choice again
            choosing = await choices.waiting(
                hub.services,
                tenant_id=viewer.tenant_id,
                provider=provider,
                pending=given.get(choices.PENDING),
            )
        except InvalidState:
            choosing = None
        return await _page(
            request, hub, shown_to, choosing=choosing, problem=exc, status=exc.status_code
        )
    health_cache(request, provider).forget(viewer.tenant_id)
    return RedirectResponse(f"{PAGE.path}?connected={provider}", status_code=303)


async def _connect_with_keys(
    hub: HubDep, viewer: Viewer, provider: Provider, form: FormData
) -> None:
    if POS_ROLE not in provider.roles:
        raise NotFound(f"{provider.title} is not a POS", field="provider")
    keys = {
        c.name: value.strip()
        for c in provider.credentials
        if isinstance(value := form.get(c.name), str) and value.strip()
    }
    request = pos.ConnectRequest(provider=provider.name, tokens=keys, token_expires_at=None)
    await pos.connect(hub.services, viewer.tenant_id, request, now=hub.uows.clock.now())


def _mapping(form: FormData) -> dict[str, str]:
    """`dish` and `item` fields side by side; a row with no item is not mapped."""
    dishes, items = form.getlist("dish"), form.getlist("item")
    if len(dishes) != len(items) or len(dishes) > MAX_ROWS:
        raise InvalidInput("item_mapping: each dish needs its item field", field="item_mapping")
    mapping: dict[str, str] = {}
    for given_dish, given_item in zip(dishes, items, strict=True):
        if not isinstance(given_dish, str) or not isinstance(given_item, str):
            raise InvalidInput("item_mapping: text fields only", field="item_mapping")
        dish, item = given_dish.strip(), given_item.strip()
        if not item:
            continue
        if not dish:
            raise InvalidInput(f"item_mapping: item '{item}' has no dish id", field="dish")
        if dish in mapping and mapping[dish] != item:
            raise InvalidInput(f"item_mapping: dish '{dish}' is mapped twice", field="dish")
        mapping[dish] = item
    return mapping


async def _change(
    request: Request, hub: HubDep, viewer: Viewer, given: dict[str, object], *, saved: str
) -> Response:
    try:
        await pos.change(hub.services, viewer.tenant_id, given)
    except ClientError as exc:
        status = 404 if isinstance(exc, NotFound) else 422
        return await _page(
            request, hub, await page_viewer(request, viewer), problem=exc, status=status
        )
    return RedirectResponse(f"{PAGE.path}?saved={saved}", status_code=303)


async def _page(
    request: Request,
    hub: HubDep,
    viewer: Viewer,
    *,
    saved: str | bool | None = None,
    connected: str | None = None,
    refused: str | None = None,
    choosing: choices.Choosing | None = None,
    problem: ClientError | None = None,
    status: int = 200,
) -> HTMLResponse:
    services = hub.services
    try:
        found: pos.Integration | None = await pos.integration(services, viewer.tenant_id)
    except NotFound:
        found = None
    catalog: PosCatalog | None = None
    catalog_problem = None
    if found is not None and found.is_active:
        try:
            catalog = await pos_catalog(services, viewer.tenant_id)
        except TillsyncError as exc:  # the provider refused, failed or must be waited for
            catalog_problem = str(exc)
    offers = await connect_offers(services, viewer.tenant_id)
    mapping = found.settings.item_mapping if found else {}
    response = await page(
        request,
        "pos.html",
        viewer,
        current=PAGE,
        integration=found,
        title=services.providers.get(found.provider).title if found else None,
        catalog=catalog,
        catalog_problem=catalog_problem,
        names={item.external_id: item.name for item in catalog.items} if catalog else {},
        mapping=mapping,
        blank_rows=BLANK_ROWS,
        offers=offers,
        saved=saved,
        connected=connected,
        refused=refused,
        choosing=choosing,
        choosing_title=services.providers.get(choosing.provider).title if choosing else None,
        problem=problem.message if problem else None,
        problem_field=problem.field if problem else None,
    )
    response.status_code = status
    origins = " ".join(sorted({o.origin for o in offers if o.configured and o.by_consent}))
    if origins:
        policy = HEADERS["Content-Security-Policy"]
        response.headers["Content-Security-Policy"] = policy.replace(
            "form-action 'self'", f"form-action 'self' {origins}"
        )
    return response
