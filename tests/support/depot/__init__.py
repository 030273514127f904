"""Depot: an imaginary warehouse defined only in the tests, on the provider contract.

Public API: `PROVIDER` (register it with `Providers.adding(PROVIDER)`), `DepotState` (the
emulator's accounts, data, faults and call log, driven from Python) and
`create_depot_emulator(state)` (the ASGI app; serve it with `tillsync.serving.serve`), and
`served_depot()`, which serves one with an account and yields its URL and keys.

The connector: `client.py` (one method per endpoint), `mapping.py` (pure), `warehouse.py`
(the `Warehouse` role), `webhooks.py` (verify, parse), `settings.py`, `provider.py`.

Emulated: `X-Depot-Account` + `X-Depot-Key` (401 `{"error": {…}}` when wrong); a rolling
rate limit per account, all of its keys together (429 with `Retry-After`, refused calls
not counted); pages of `page`/`limit` (at most 200) with `total` and `has_more`;
`GET /account`; `GET /products?updated_since=` (inclusive, oldest change first);
`GET /stock` and `GET /stock?sku=` (exact; rows with nothing in them left out);
`POST /sales` (references are not unique: a second create is a second sale),
`GET /sales?reference=`, `GET /sales?shipped_since=`, `GET /sales/{id}`,
`POST /sales/{id}/confirm` (stock leaves the sale's location, may go negative; a second
confirm is 409 `already_confirmed`); `GET/POST /webhooks`, `GET/PUT/DELETE /webhooks/{id}`
(tokens are write-only); one delivery per stock change to every active `stock.changed`
hook, with `Authorization: Bearer <token>`. Decimals travel as strings.
Controls (`/_control/…`, or the same methods on `DepotState`): accounts and keys, seed
products, set stock (absolute), deactivate a webhook, ship a sale, a sale from another
channel, fail the next N calls of a path (or of one page of it), lose the answer of the
next `POST /sales` (dropped connection or 502, after the sale is made), the rate limit,
the call log (with each call's query) and the deliveries (`await state.settle()` waits for
those under way).

NOT emulated: OAuth, key rotation endpoints, product or stock writes through the API,
bins and batches, sale lines' tax rules, cancelling or editing sales, webhook retries (a
failed delivery is recorded with its status and dropped), delivery signatures, latency.
"""

from tests.support.depot.emulator import create_depot_emulator
from tests.support.depot.provider import PROVIDER
from tests.support.depot.served import ServedDepot, served_depot
from tests.support.depot.state import DepotState

__all__ = ["PROVIDER", "DepotState", "ServedDepot", "create_depot_emulator", "served_depot"]
