"""Poster POS emulator, built to shared/providers/poster-and-zoho.md (part A).

Public API: `create_poster_emulator(state)` builds the ASGI app; `PosterState` holds the
application, the accounts and their back offices, the rules and the control surface in
Python; `Application`, `Connected`, `Settings`, `FaultRule`; `hooks.verify` is the
signature rule.

One server plays every Poster host: `joinposter.com/api/…` and
`{account}.joinposter.com/api/…` are both the emulator's `/api/…`.

Emulated: OAuth (`GET /api/auth` with `application_id` or `client_id`, approved at once,
redirecting with `code` and `account`; the form-data exchange at
`/api/v2/auth/access_token`, or `/api/auth/access_token` as the PHP SDK posts it, giving
`access_token`, `account_number`, `user` and `ownerInfo` and installing the application
on the account); tokens `{account_number}:{32 hex}` living two years with no refresh, in
the `token` query (or form) parameter, personal ones too; error 10, 11 or 12 for a
missing, unknown or expired token; `{"response": …}` on success and
`{"error": {"code", "message"}}` inside HTTP 200 on failure; ids and numbers as strings,
quantities to five places (`"443.45000"`), flags `"0"`/`"1"`, money in kopecks;
`storage.getSuppliers`, `storage.getStorages`, `storage.getStorage`,
`menu.getIngredients`, `menu.getIngredient`, `menu.getCategoriesIngredients`,
`menu.getCategoryIngredients`, `storage.getStorageLeftovers` (`storage_id`, `type`,
`category_id`, `zero_leftovers`; `storage_ingredient_left` with a storage; `prime_cost`
and `storage_ingredient_sum` in kopecks); write-offs (`storage.createWriteOff` of
ingredient lines, whole or refused whole, answering `{"success": 1, "response": id}`;
`storage.getWastes` by `dateFrom`/`dateTo`; `storage.getWaste`; see `wastes`); webhooks
for every change made on the control surface or by a write-off (`ingredient`,
`ingredients_category`, `storage`, `stock` with its `data`, `application` on install;
none for suppliers, as on Poster) to the application's one URL,
only for accounts it is installed on and objects it subscribes to, signed with the md5
`verify` (see `hooks`), retried 15 times over two days (times `time_scale`), newer hooks
of the account held back until the older one is answered with 200 or given up; saving the
webhook settings drops held hooks (Poster's advice for hooks that cannot be taken); a
rate limit per account (off by default) answering error 700; faults (latency, random
500/503/reset, error 44 or 700 inside a 200, one-shot rules before or after a call's
effect) and token expiry on demand.

Assumed where the notes are silent (each a GUESS kept in one place): errors come in HTTP
200 (`errors.py`, also which code each case gets); a getter of an unknown id answers
`"response": false`; removed suppliers, storages and ingredients stay listed with
`delete: "1"`, a removed ingredient category leaves the list; a `stock` hook's
`object_id` is the ingredient's id and its `data` numbers are JSON numbers; an
`application` hook's `object_id` is the application's id; a hook's
`time` is when that try is sent, so each retry is signed anew (`resign_retries`); the
retry schedule (1, 5, 15, 30 minutes, 1, 2, 4 hours, then evenly to 48 hours); a try
succeeds only on HTTP 200 within 5 s; hooks are held back per account; the authorize
redirect echoes `state`; the exchange accepts either pair of credential names on either
path; token exchange refusals are `{code, error_type, error_message}` in a 200; a
write-off line's `reason` (its comment) is echoed by `storage.getWaste`, and the write-off
rules' codes (`wastes`).

NOT emulated:
- login and consent pages, the manage-iframe flow (`/api/v2/auth/manage` and its md5
  `verify`), tariffs and billing (no `tariff` in the exchange's answer), access rights
  per application (error 20);
- writes through the API other than write-offs (`storage.createSupplier`, `createSupply`,
  incoming orders, updating or removing a write-off): the back office changes through the
  control surface; write-off lines other than ingredients (`type` 4), write-off reasons;
- products, dishes, semi-finished goods, modifiers (leftovers of `type` other than 1 are
  empty), menu categories, transactions, clients, finance, spots;
- webhook objects other than the five above, the `transformed` action, the `1c` ids.
"""

from typing import Any

from tillsync.emulators.poster.app import create_poster_emulator
from tillsync.emulators.poster.faults import FaultRule
from tillsync.emulators.poster.settings import Settings
from tillsync.emulators.poster.state import Application, Connected, PosterState

__all__ = [
    "Application",
    "Connected",
    "FaultRule",
    "PosterState",
    "Settings",
    "create_poster_emulator",
    "fresh_app",
]


def fresh_app() -> Any:
    """An emulator with one demo restaurant, our application installed on it
    (`tillsync emulator poster`).

    `GET /_emulator/application` gives the application's id and secret; `PUT` there sets
    the webhook URL; `GET /_emulator/state` the account; `POST /_emulator/accounts` one of
    your own with a token.
    """
    state = PosterState()
    connected = state.create_account(login="demo-cafe", company_name="Demo Cafe")
    state.seed_demo(connected.account)
    return create_poster_emulator(state)
