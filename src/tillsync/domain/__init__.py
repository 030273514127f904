"""Pure rules of the hub: ledger, reservations, alerts, retry policy. No I/O, no project imports."""
