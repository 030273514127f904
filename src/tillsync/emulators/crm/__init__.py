"""The business's own CRM, as seed 003 describes its external invoice API.

Public API: `create_crm_emulator(state)` builds the ASGI app; `CrmState` holds the keys,
the invoices, the faults and the call log in Python; `FaultRule`.

Emulated: `POST /api/external/invoices` with `x-api-key` (401 and a JSON message when it
is wrong or missing); every field validated, a 400 naming the first one at fault;
`INV-<year>-<NNNN>` numbers from a sequence that restarts each year; the `Idempotency-Key`
header tillsync sends (same key and body: the first invoice again, 201 with
`Idempotent-Replayed: true`; same key, other body: 422); `GET /api/external/invoices`
with `reference` (the POS sale) and `limit`; CORS pre-flight for browser POS apps.
Faults: the whole API down (503), latency, ignoring the idempotency key (a CRM that never
heard of it), and one-shot rules around an invoice's creation or a lookup: delay, fail
with a status or drop the connection, before or after the effect.

NOT emulated (seed 003 says nothing of them): customers as records (any id and name are
accepted), updating, voiding or paying invoices, payments, credit notes, PDFs, pagination
beyond `limit`, rate limiting, webhooks from the CRM.
"""

from typing import Any

from tillsync.emulators.crm.app import create_crm_emulator
from tillsync.emulators.crm.state import CrmState, FaultRule

__all__ = ["CrmState", "FaultRule", "create_crm_emulator", "fresh_app"]


def fresh_app() -> Any:
    """An emulator with an empty state (`tillsync emulator`)."""
    return create_crm_emulator(CrmState())
