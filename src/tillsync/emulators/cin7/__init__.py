"""CIN7 Core (ex-DEAR) External API v2 emulator, built to shared/providers/cin7-core.md.

Public API: `create_cin7_emulator(state)` builds the ASGI app; `Cin7State` holds the
data, the rules and the control surface in Python; `Settings`, `FaultRule`.

Emulated: credentials headers and the `Incorrect credentials!` 403; case-insensitive
paths, parameters and JSON fields; unknown paths as an HTML page with HTTP 200; the
error-list bodies; the 60-calls rolling minute per application key with a 503, 429 or
400 throttle answer and no Retry-After; `/me`; products; availability per product x
location x bin x batch with all-zero rows left out; locations; customers; simple sales
(order with allocation and silent backorder, auto pick/pack/ship, pick, pack, ship,
invoice, void, undo of an authorised order); `saleList`; absolute stock adjustments;
webhook subscriptions and background delivery with CIN7's retries and deactivation.

NOT emulated:
- quotes (`/sale/quote`): the quote counts as skipped whatever `SkipQuote` says;
- payments, credit notes, returns, Advanced sales (several fulfilments or invoices per
  sale), additional charges, drop ship, partial fulfilment (a pick takes the whole
  allocation and ignores its `Lines`), multi-box shipments;
- purchases, stock transfers, stock takes, attribute sets, BOMs, suppliers, brands and
  categories endpoints, customer and location writes, attachments;
- `UpdateOnHand=false` meaning "adjust Available": adjustments always set on-hand;
- `OnOrder`, `InTransit` and `NextDeliveryDate` stay zero or null; tax is taken as sent;
- currencies, tenant time zones and the lock date; dates are always UTC;
- the webhook types that nothing here raises (purchases, CRM, payments, customers...),
  and `Include*` product parameters (BOM, suppliers, movements, ...);
- `Void=false` (undo) beyond an authorised order that is not yet picked.
"""

from typing import Any

from tillsync.emulators.cin7.app import create_cin7_emulator
from tillsync.emulators.cin7.faults import FaultRule
from tillsync.emulators.cin7.settings import Settings
from tillsync.emulators.cin7.state import Cin7State, Credentials

__all__ = ["Cin7State", "Credentials", "FaultRule", "Settings", "create_cin7_emulator", "fresh_app"]


def fresh_app() -> Any:
    """An emulator with an empty state (`tillsync emulator`)."""
    return create_cin7_emulator(Cin7State())
