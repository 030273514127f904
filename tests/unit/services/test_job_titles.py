"""A failed job's title in the seller's words, and a kind with no wording kept as it is."""

from __future__ import annotations

import pytest

from tillsync.services.job_titles import job_title

TITLES = {"poster": "Poster", "zoho": "Zoho Inventory"}


@pytest.mark.parametrize(
    ("kind", "subject", "title"),
    [
        ("poster.sync_records", "ingredients", "Syncing ingredients from Poster"),
        ("zoho.push_sale", "sale:1", "Sending a sale to Zoho Inventory"),
        ("zoho.refresh_token", None, "Renewing the Zoho Inventory authorisation"),
        ("other.push_order", None, "Sending an order to other"),
        ("mail.send", None, "mail.send"),
        ("maintenance.retention", None, "maintenance.retention"),
        ("push_sale", None, "push_sale"),
    ],
)
def test_a_job_is_titled_for_the_seller(kind: str, subject: str | None, title: str) -> None:
    assert job_title(kind, subject, provider_title=lambda name: TITLES.get(name, name)) == title
