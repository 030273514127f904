"""What a job does, in the words a seller reads in a notice or an e-mail.

A job's kind is `<provider>.<verb>` (or `<area>.<verb>` for the hub's own duties); a notice
titled with the kind ("<provider>.sync_records failed") speaks our code's language, not the
seller's. A kind with no wording here keeps its kind, so a new verb is never hidden.
"""

from __future__ import annotations

from collections.abc import Callable

WORDING = {
    "push_sale": "Sending a sale to {provider}",
    "push_batch": "Sending sales to {provider}",
    "create_invoice": "Creating an invoice in {provider}",
    "push_order": "Sending an order to {provider}",
    "sync_records": "Syncing {subject} from {provider}",
    "sync_catalog": "Syncing stock from {provider}",
    "refresh_stock": "Reading stock again from {provider}",
    "apply_webhook": "Applying a change sent by {provider}",
    "refresh_token": "Renewing the {provider} authorisation",
    "webhook_watchdog": "Checking the {provider} webhooks",
}


def job_title(kind: str, subject: str | None, *, provider_title: Callable[[str], str]) -> str:
    """`provider_title` turns the kind's first part into the provider's title."""
    area, _, verb = kind.rpartition(".")
    wording = WORDING.get(verb)
    if wording is None or not area:
        return kind
    return wording.format(provider=provider_title(area), subject=subject or "records")
