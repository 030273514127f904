"""The CRM job kinds and the handlers that run them."""

from __future__ import annotations

from functools import partial

from tillsync.jobs.worker import Handler
from tillsync.services.context import Services
from tillsync.services.crm.invoice import KIND, create_invoice


def handlers(services: Services) -> dict[str, Handler]:
    return {KIND: partial(create_invoice, services)}
