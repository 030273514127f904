"""Square API v2 emulator, built to shared/providers/square.md.

Public API: `create_square_emulator(state)` builds the ASGI app; `SquareState` holds the
application, the merchants and their data, the rules and the control surface in Python;
`Settings`, `FaultRule`, `ItemSeed`, `VariationSeed`, `signature`.

Emulated: OAuth (authorize auto-approved or denied by a setting, authorization-code and
refresh-token grants with `expires_at`, the multi-use refresh token returned unchanged,
revoke with `Authorization: Client <secret>`, token status); bearer tokens with Square's
401 bodies (UNAUTHORIZED, ACCESS_TOKEN_EXPIRED, ACCESS_TOKEN_REVOKED); `Square-Version`
checked and echoed; locations (list, retrieve, `main` for the first created); orders
(create with the idempotency rules: same key and data → the first answer, other data →
400 IDEMPOTENCY_KEY_REUSED; get; batch-retrieve;
search by location with state, date, source and customer filters, sort, cursor and limit;
update of state, reference_id and metadata by version), money in minor units in the
location's currency, quantities as strings, totals computed by the server, `reference_id`
and `metadata` limits; the catalog (ITEM and ITEM_VARIATION: list by type with a cursor,
100 a page; get; upsert and batch-upsert with `#` ids, versions as millisecond epochs,
VERSION_MISMATCH, idempotency); inventory (counts batch-retrieve, changes batch-create
with PHYSICAL_COUNT and ADJUSTMENT, changes batch-retrieve by variation, location, type,
state and time, both forms of an adjustment's location, the 24-hour
`occurred_at` window, the deprecated alias paths); webhook subscriptions with a
`signature_key`; `order.created`, `order.updated` and `inventory.count.updated`
deliveries signed `base64(HMAC-SHA256(key, notification_url + body))` with Square's
headers, retried after 1, 2, 4, 8, 16, 32 minutes then hourly for 72 hours (scaled by
`time_scale`); a per-token rate limit with Square's 429 body; faults (latency, random
500/503/429/reset, one-shot rules before or after a call's effect).

NOT emulated:
- login, consent screens, PKCE, scope enforcement (every token may call every endpoint);
- payments, customers, taxes, discounts, service charges, modifiers (totals carry no tax,
  discount or tip), order fulfillment rules (a fulfillment is stored as sent);
- catalog types other than ITEM and ITEM_VARIATION, deletes, search, images, location
  overrides, the one-write-at-a-time 429 (writes here never overlap);
- inventory TRANSFER changes, changes history reads, read-only states;
- subscription updates, test events, signature key rotation, the legacy SHA-1 signature,
  disabling a subscription after weeks of failures; `catalog.version.updated` events;
- Square's real rate numbers (unpublished): `rate_limit` is off unless set.
"""

from typing import Any

from tillsync.emulators.square.app import create_square_emulator
from tillsync.emulators.square.faults import FaultRule
from tillsync.emulators.square.seeding import ItemSeed, VariationSeed
from tillsync.emulators.square.settings import Settings
from tillsync.emulators.square.state import Application, Seller, SquareState
from tillsync.emulators.square.webhooks import signature

__all__ = [
    "Application",
    "FaultRule",
    "ItemSeed",
    "Seller",
    "Settings",
    "SquareState",
    "VariationSeed",
    "create_square_emulator",
    "fresh_app",
    "signature",
]


def fresh_app() -> Any:
    """An emulator with one demo merchant and its catalog (`tillsync emulator`).

    `GET /_emulator/application` gives the OAuth client; `POST /_emulator/merchants` a
    merchant of your own with an access token.
    """
    state = SquareState()
    state.create_merchant()
    return create_square_emulator(state)
