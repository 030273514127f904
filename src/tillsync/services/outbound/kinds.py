"""The outbound job kinds: `<provider>.<verb>`, so a provider's stored jobs keep their kind."""

from __future__ import annotations

from collections.abc import Mapping

PUSH_SALE = "push_sale"
PUSH_BATCH = "push_batch"
CREATE_INVOICE = "create_invoice"
PUSH_ORDER = "push_order"
ROLE_JOBS: Mapping[str, str] = {"warehouse": PUSH_SALE, "crm": CREATE_INVOICE}
"""The job a sale gives a connection of each role."""


VERB_ROLES: Mapping[str, str] = {
    PUSH_SALE: "warehouse",
    PUSH_BATCH: "warehouse",
    CREATE_INVOICE: "crm",
    PUSH_ORDER: "pos",
}


def role_of(job_kind: str) -> str | None:
    """The role a job of this kind works for: a connection may play several."""
    return VERB_ROLES.get(job_kind.rsplit(".", 1)[-1])


def kind(provider: str, verb: str) -> str:
    return f"{provider}.{verb}"
