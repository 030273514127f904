"""Dine POS emulator, to a contract of our own: ASSUMED, not Dine's published API.

No public description of Dine's API exists (seed 004 names Dine and says only that it
"requires API credentials"). Everything below is what tillsync assumes until a real
specification replaces it; the connector (`tillsync.connectors.dine`) is written to the
same contract, and both live in their own packages so that replacing it touches nothing
else.

The assumed contract (base URL `<host>/v1`, JSON in and out, amounts and quantities as
decimal strings):
- every call carries the restaurant's API key in `X-Api-Key` (401 without a valid one);
- `GET /v1/restaurant` → `{"restaurant": {id, name, currency}}` (a cheap check of the key);
- `GET /v1/menu/items?page=&per_page=` → `{items[], page, per_page, total, has_more}`,
  pages from 1, at most 100 a page; an item is `{id, name, price, category, sku, available}`;
- `POST /v1/orders` with an `Idempotency-Key` header (required, 400 without it) and
  `{reference, currency, lines[], note?, customer?}`; a line names a `menu_item_id` (name and
  price come from the menu; an unavailable item is refused) or a `name` and `unit_price`,
  with a `quantity` and an optional `note`; the customer is `{name?, phone?}`. A new order
  answers 201 `{"order": {...}}`; the same key with the same body answers the first order
  again, 200, with `Idempotent-Replayed: true`; the same key with another body 422
  `idempotency_key_reused`. A refused body leaves the key unused. Keys never expire;
- `GET /v1/orders?reference=` → `{"orders": [...]}`, every order with that reference;
  `GET /v1/orders/{id}` → `{"order": {...}}` or 404;
- an error is `{"error": {"code", "message", "field"?}}` with its status: 400 malformed, 401,
  404, 405, 422 refused (`invalid_request`, `currency_mismatch`, `item_unavailable`,
  `idempotency_key_reused`), 429 `rate_limited`, 5xx;
- 60 calls per rolling minute per API key; the 429 carries `Retry-After` in seconds.

Public API: `create_dine_emulator(state)` builds the ASGI app; `DineState` holds the
restaurants (key, menu, orders), the faults, the limit and the call log in Python;
`Settings`, `ItemSeed`, `RouteRule` (a one-shot fault: delay, fail with a status, or drop
the connection, before or after the call's effect), and random 500/503/429/reset and
latency through `PUT /_emulator/faults`.

NOT emulated (nothing is known of them, so nothing is assumed): OAuth or key rotation,
webhooks or order status callbacks, order updates and cancellation, payments, taxes,
discounts, tips, modifiers, tables and dine-in flows, several locations per restaurant,
menu categories as objects, menu changes through the API, paging of order look-ups.
"""

from typing import Any

from tillsync.emulators.dine.app import create_dine_emulator
from tillsync.emulators.dine.menu import ItemSeed
from tillsync.emulators.dine.settings import Settings
from tillsync.emulators.dine.state import CallRecord, DineState, Restaurant
from tillsync.emulators.faults import RouteRule

__all__ = [
    "CallRecord",
    "DineState",
    "ItemSeed",
    "Restaurant",
    "RouteRule",
    "Settings",
    "create_dine_emulator",
    "fresh_app",
]


def fresh_app() -> Any:
    """An emulator with one demo restaurant and its menu (`tillsync emulator dine`);
    `GET /_emulator/restaurants` gives its API key."""
    state = DineState()
    state.create_restaurant()
    return create_dine_emulator(state)
