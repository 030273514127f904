"""Zoho Inventory v1 emulator, built to shared/providers/poster-and-zoho.md (part B).

Public API: `create_zoho_emulator(state)` builds the ASGI app; `ZohoState` holds the
application, the accounts, their organizations and data, the rules and the control
surface in Python; `Settings`, `FaultRule`, `ItemSeed`, `Workflow`.

One server plays both hosts: the accounts server (`/oauth/v2/...`) and the API
(`/inventory/v1/...`, standing for `https://www.zohoapis.com/inventory/v1`).

Emulated: OAuth (authorize auto-approved, redirecting with `code`, `location` and
`accounts-server`; the token endpoint with query or form parameters, authorization-code
and refresh-token grants, `expires_in` 3600, the refresh token only from the code grant;
refusals as HTTP 200 `{"error": ...}`; at most 10 refreshes per refresh token per 10
minutes, then HTTP 400 `{"error":"Access Denied", ...}`; revoke); `Zoho-oauthtoken`
access tokens, code 57 (HTTP 401) when expired, revoked or unknown; `organization_id` on
every call but `GET /organizations`, refused when missing or not the account's; the
`{code, message, ...}` envelope with `code` 0; Zoho's list paging (`page`, `per_page` at
most 200, `page_context.has_more_page`); `GET /locations`; items (list with `filter_by`,
`search_text`, `sku`, `last_modified_time`, `location_id`, `sort_column`, `sort_order`;
one item with `locations[]` and per-location stock); inventory adjustments (signed
`quantity_adjusted` per item and location, list, get); contacts (list with name, phone
and email searches; create, names unique); sales orders (create with HTTP 201 and the key
`salesorder`, lines by `item_id` or by name with rate and quantity, auto-numbering or
`ignore_auto_number_generation`; list with `reference_number` and other filters; get;
`status/confirmed` committing stock and `status/void` releasing it); 100 calls a minute
per organization and a daily quota per plan, both HTTP 429 with a `{code, message}` body,
the day's use in `X-Rate-Limit-*` headers; workflow webhooks set up on the control
surface (module, URL, a custom header with the secret, parameters), delivered for item
changes and sales order changes, retried after 1, 5 and 30 minutes (scaled by
`time_scale`); faults (latency, random 500/503/429/reset or a non-zero `code` inside a
200, one-shot rules before or after a call's effect) and token expiry on demand.

Assumed where the notes are unsure (see docs/architecture.md, "Zoho emulator"): error
codes other than 57, 1000 and 1002; the 429 bodies; 201 on adjustment and contact
creates; the workflow payload (`{"item": {...}}`, or flat by a setting); stock figures
as numbers (per-location values too); `available_stock` = on hand − committed by
confirmed sales orders, `actual_available_stock` the same; negative stock allowed;
confirming a confirmed order is a success; the quota's day is the UTC day.

NOT emulated:
- login, consent screens, data centres other than the one the emulator is (`location`
  is a setting), scope enforcement (every token may call every endpoint);
- the concurrency limit (5 or 10 calls at once);
- item create, update, delete and (in)activation, `itemdetails`, item groups, composite
  items, serial and batch tracking, the older `warehouses[]` shape;
- adjustment update and delete, valuation (a `value` adjustment changes no quantity);
- sales order update and delete, packages, shipments (stock on hand never drops by a
  sale), fulfilment, invoices, taxes, discounts, price lists; contact update and delete;
- workflow rules' criteria (every change of the module fires), custom payload
  templates, the webhook's method (always POST) and form-encoded bodies.
"""

from typing import Any

from tillsync.emulators.zoho.app import create_zoho_emulator
from tillsync.emulators.zoho.faults import FaultRule
from tillsync.emulators.zoho.seeding import DEMO_ITEMS, ItemSeed
from tillsync.emulators.zoho.settings import Settings
from tillsync.emulators.zoho.state import Application, Connected, ZohoState
from tillsync.emulators.zoho.workflows import Workflow

__all__ = [
    "Application",
    "Connected",
    "FaultRule",
    "ItemSeed",
    "Settings",
    "Workflow",
    "ZohoState",
    "create_zoho_emulator",
    "fresh_app",
]


def fresh_app() -> Any:
    """An emulator with one demo organization and its items (`tillsync emulator zoho`).

    `GET /_emulator/application` gives the OAuth client; `GET /_emulator/state` the
    organization; `POST /_emulator/organizations` one of your own with an access token.
    """
    state = ZohoState()
    connected = state.create_organization()
    state.seed_items(connected.organization_id, DEMO_ITEMS)
    return create_zoho_emulator(state)
