"""Depot's REST API over `DepotState`: the wire format only; the rules live in the state.

Every API call goes one way: key check (401) → rate limit (429 with Retry-After) → an
injected failure (500) → the endpoint → a lost answer for `POST /sales` → the call log.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

import httpx
from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response

from tests.support.depot import bodies
from tests.support.depot.control import control_router
from tests.support.depot.deliveries import Deliveries
from tests.support.depot.records import Account, DepotError, Sale
from tests.support.depot.responses import document, listing, refusal
from tests.support.depot.state import DepotState
from tillsync.emulators.connection import DroppedConnection

ACCOUNT_HEADER, KEY_HEADER = "X-Depot-Account", "X-Depot-Key"
Answer = tuple[int, object]
Endpoint = Callable[[DepotState, Account, Request, Any], Answer]


def get_account(state: DepotState, account: Account, request: Request, body: Any) -> Answer:
    return 200, {"id": account.id, "name": account.name, "currency": "USD", "timezone": "UTC"}


def list_products(state: DepotState, account: Account, request: Request, body: Any) -> Answer:
    page, limit = bodies.paging(request.query_params)
    since = bodies.moment(request.query_params, "updated_since")
    rows, total = state.products_page(account.id, page=page, limit=limit, updated_since=since)
    return 200, listing([row.document() for row in rows], total, page=page, limit=limit)


def list_stock(state: DepotState, account: Account, request: Request, body: Any) -> Answer:
    page, limit = bodies.paging(request.query_params)
    sku = request.query_params.get("sku")
    rows, total = state.stock_page(account.id, page=page, limit=limit, sku=sku)
    found = [row.document(account.products.get(row.sku)) for row in rows]
    return 200, listing(found, total, page=page, limit=limit)


def create_sale(state: DepotState, account: Account, request: Request, body: Any) -> Answer:
    return 201, state.create_sale(account.id, bodies.sale_draft(body, state.clock.now())).document()


def list_sales(state: DepotState, account: Account, request: Request, body: Any) -> Answer:
    query = request.query_params
    page, limit = bodies.paging(query)
    reference = query.get("reference")
    rows: list[Sale]
    if reference is not None:
        found = state.sales_by_reference(account.id, reference)
        rows, total = found[(page - 1) * limit : page * limit], len(found)
    else:
        since = bodies.moment(query, "shipped_since")
        if since is None:
            raise DepotError(422, "invalid", "give reference or shipped_since", field="query")
        rows, total = state.shipped_page(account.id, since=since, page=page, limit=limit)
    return 200, listing([row.document() for row in rows], total, page=page, limit=limit)


def get_sale(state: DepotState, account: Account, request: Request, body: Any) -> Answer:
    return 200, state.sale(account.id, request.path_params["sale_id"]).document()


def confirm_sale(state: DepotState, account: Account, request: Request, body: Any) -> Answer:
    return 200, state.confirm(account.id, request.path_params["sale_id"]).document()


def list_webhooks(state: DepotState, account: Account, request: Request, body: Any) -> Answer:
    return 200, {"data": [hook.document() for hook in account.webhooks.values()]}


def create_webhook(state: DepotState, account: Account, request: Request, body: Any) -> Answer:
    fields = bodies.webhook_fields(body, creating=True)
    hook = state.add_webhook(
        account.id, event=fields["event"], url=fields["url"], token=fields["token"]
    )
    return 201, hook.document()


def get_webhook(state: DepotState, account: Account, request: Request, body: Any) -> Answer:
    return 200, state.webhook(account.id, request.path_params["webhook_id"]).document()


def update_webhook(state: DepotState, account: Account, request: Request, body: Any) -> Answer:
    fields = bodies.webhook_fields(body, creating=False)
    hook = state.update_webhook(account.id, request.path_params["webhook_id"], **fields)
    return 200, hook.document()


def delete_webhook(state: DepotState, account: Account, request: Request, body: Any) -> Answer:
    state.delete_webhook(account.id, request.path_params["webhook_id"])
    return 204, None


ROUTES: tuple[tuple[str, str, Endpoint], ...] = (
    ("GET", "/account", get_account),
    ("GET", "/products", list_products),
    ("GET", "/stock", list_stock),
    ("POST", "/sales", create_sale),
    ("GET", "/sales", list_sales),
    ("GET", "/sales/{sale_id}", get_sale),
    ("POST", "/sales/{sale_id}/confirm", confirm_sale),
    ("GET", "/webhooks", list_webhooks),
    ("POST", "/webhooks", create_webhook),
    ("GET", "/webhooks/{webhook_id}", get_webhook),
    ("PUT", "/webhooks/{webhook_id}", update_webhook),
    ("DELETE", "/webhooks/{webhook_id}", delete_webhook),
)


def _pipeline(
    state: DepotState, route: str, endpoint: Endpoint
) -> Callable[[Request], Awaitable[Response]]:
    async def handle(request: Request) -> Response:
        raw = await request.body()
        account = state.authenticate(
            request.headers.get(ACCOUNT_HEADER), request.headers.get(KEY_HEADER)
        )
        response = _refused(state, route, request, account)
        if response is None:
            assert account is not None
            response = _effect(
                state, request, route=route, endpoint=endpoint, raw=raw, account=account
            )
        status = 0 if isinstance(response, DroppedConnection) else response.status_code
        state.traffic.record(
            request.method,
            request.url.path,
            status,
            account.id if account else None,
            request.url.query,
        )
        return response

    return handle


def _refused(
    state: DepotState, route: str, request: Request, account: Account | None
) -> Response | None:
    """401 for a bad key, 429 past the rate limit, or an injected failure; else None."""
    if account is None:
        return refusal(DepotError(401, "unauthorized", "unknown account or API key"))
    traffic = state.traffic
    wait = traffic.admit(account.id)
    if wait is not None:
        error = DepotError(429, "rate_limited", f"{traffic.rate_calls} calls per window used up")
        return refusal(error, {"Retry-After": traffic.retry_after(wait)})
    method, query = request.method, request.query_params
    failure = traffic.take_failure(method, request.url.path, query) or traffic.take_failure(
        method, route, query
    )
    if failure is not None:
        return refusal(DepotError(failure, "internal", "something went wrong at Depot"))
    return None


def _effect(
    state: DepotState,
    request: Request,
    *,
    route: str,
    endpoint: Endpoint,
    raw: bytes,
    account: Account,
) -> Response:
    try:
        body = json.loads(raw, parse_float=Decimal) if raw.strip() else None
    except ValueError:
        return refusal(DepotError(400, "malformed", "the body is not JSON", field="body"))
    try:
        status, value = endpoint(state, account, request, body)
    except DepotError as error:
        return refusal(error)
    if request.method == "POST" and route == "/sales" and state.traffic.lost_answers:
        # The sale exists now; the caller cannot know.
        if state.traffic.lost_answers.popleft() == "drop":
            return DroppedConnection()
        return refusal(DepotError(502, "bad_gateway", "upstream timed out"))
    return document(value, status)


def create_depot_emulator(state: DepotState | None = None) -> FastAPI:
    """Depot's API at the root, its control surface under `/_control/`.

    Webhooks are delivered while the app's lifespan runs (`serve` runs it).
    """
    depot = state or DepotState()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with httpx.AsyncClient() as client:
            deliveries = Deliveries(depot)
            deliveries.start(client)
            try:
                yield
            finally:
                await deliveries.stop()

    app = FastAPI(title="Depot emulator", lifespan=lifespan, docs_url="/_control/docs")
    app.state.depot = depot
    app.include_router(control_router(depot))
    for method, route, endpoint in ROUTES:
        app.add_api_route(
            route, _pipeline(depot, route, endpoint), methods=[method], include_in_schema=False
        )
    return app


__all__ = ["ACCOUNT_HEADER", "KEY_HEADER", "create_depot_emulator"]
