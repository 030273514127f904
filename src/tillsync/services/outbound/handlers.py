"""The outbound job kinds of every provider, by the roles it plays, and what runs them."""

from __future__ import annotations

from functools import partial

from tillsync.jobs.worker import Handler
from tillsync.services.context import Services
from tillsync.services.outbound.invoice import create_invoice
from tillsync.services.outbound.kinds import CREATE_INVOICE, PUSH_BATCH, PUSH_ORDER, PUSH_SALE, kind
from tillsync.services.outbound.order import push_order
from tillsync.services.outbound.push import push_batch, push_sale


def handlers(services: Services) -> dict[str, Handler]:
    found: dict[str, Handler] = {}
    for provider in services.providers.with_role("warehouse"):
        found[kind(provider.name, PUSH_SALE)] = partial(push_sale, services)
        found[kind(provider.name, PUSH_BATCH)] = partial(push_batch, services)
    for provider in services.providers.with_role("crm"):
        found[kind(provider.name, CREATE_INVOICE)] = partial(create_invoice, services)
    for provider in services.providers.with_role("pos"):
        found[kind(provider.name, PUSH_ORDER)] = partial(push_order, services)
    return found
