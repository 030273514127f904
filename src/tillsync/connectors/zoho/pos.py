"""Zoho Inventory as the `Pos` capability: sales orders made once by our reference, items.

Zoho takes no idempotency key: after an uncertain outcome the shared push asks
`find_order`, which Zoho answers in one call (`reference_number` is a filter of its list).
A sales order needs a customer: the order's own (a contact found by phone, else by name,
else created) when `sync_customer_info` allows, else the `walk_in_customer` contact.
"""

from __future__ import annotations

from tillsync.connectors.contract import Account, Page
from tillsync.connectors.zoho import mapping
from tillsync.connectors.zoho.client import MAX_PER_PAGE, ZohoClient
from tillsync.connectors.zoho.settings import ZohoSettings
from tillsync.domain.catalog import ProductFields
from tillsync.domain.orders import PosOrder
from tillsync.errors import ChoiceNeeded, InvalidInput, Permanent

ORGANIZATION_ID = "organization_id"
_SHOWN = 10
_CHOICES = 200
"""Organizations offered to choose from; an account has a handful."""


class ZohoPos:
    def __init__(self, client: ZohoClient, settings: ZohoSettings) -> None:
        self._client, self._settings = client, settings

    async def account(self) -> Account:
        """The organization the connection calls: the one given, or the account's only one.

        Several and none given: `ChoiceNeeded` naming `organization_id`, with the account's
        organizations listed, so the caller (or the merchant, after a consent) can choose.
        """
        listed = mapping.organizations(await self._client.organizations())
        wanted = self._settings.organization_id
        if wanted is not None:
            found = next((org for org in listed if org.id == wanted), None)
            if found is None:
                raise InvalidInput(
                    f"this Zoho account has no organization {wanted}", field=ORGANIZATION_ID
                )
            return Account(name=found.name or found.id)
        if not listed:
            raise InvalidInput("this Zoho account has no organization", field=ORGANIZATION_ID)
        if len(listed) > 1:
            shown = ", ".join(f"{org.id} ({org.name[:40]})" for org in listed[:_SHOWN])
            raise ChoiceNeeded(
                f"this Zoho account has {len(listed)} organizations: give organization_id, "
                f"one of {shown}",
                field=ORGANIZATION_ID,
                noun="organization",
                choices=[(org.id, org.name[:100] or org.id) for org in listed[:_CHOICES]],
            )
        (only,) = listed
        self._client.organization_id = only.id
        return Account(name=only.name or only.id, settings={ORGANIZATION_ID: only.id})

    async def push_order(self, order: PosOrder) -> str:
        customer = await self._customer(order)
        body = mapping.order_body(order, customer_id=customer)
        made = mapping.salesorder_id(await self._client.create_salesorder(body))
        if made is None:
            raise Permanent("Zoho answered the new sales order without its id")
        return made

    async def find_order(self, reference: str) -> str | None:
        found = mapping.with_reference(
            await self._client.salesorders(reference_number=reference), reference
        )
        return str(found["salesorder_id"]) if found and found.get("salesorder_id") else None

    async def catalog(self, *, page: int, limit: int) -> Page[ProductFields]:
        """Page `page` (from 1) of the organization's items, at most 200 a page."""
        if page < 1:
            raise ValueError("page starts at 1")
        answer = await self._client.items(page=page, per_page=max(1, min(limit, MAX_PER_PAGE)))
        items = answer.get("items")
        return Page(
            rows=mapping.products(answer),
            last=not mapping.has_more(answer),
            raw_count=len(items) if isinstance(items, list) else 0,
        )

    async def _customer(self, order: PosOrder) -> str:
        customer = order.customer if self._settings.sync_customer_info else None
        name = (customer.name or customer.phone) if customer else None
        phone = customer.phone if customer else None
        return await customer_id(
            self._client, name=name or self._settings.walk_in_customer, phone=phone
        )


async def customer_id(client: ZohoClient, *, name: str, phone: str | None) -> str:
    """The contact with this phone, else this name, else a new one.

    Two pushes at once may both find no contact: Zoho refuses the second of one name, and
    that push takes the contact the first made.
    """
    if phone:
        found = mapping.contact_id(await client.contacts(phone=phone))
        if found:
            return found
    found = mapping.contact_id(await client.contacts(contact_name=name))
    if found:
        return found
    body = {"contact_name": name, "contact_type": "customer", **({"phone": phone} if phone else {})}
    try:
        made = mapping.contact_id(await client.create_contact(body))
    except Permanent:
        found = mapping.contact_id(await client.contacts(contact_name=name))
        if found:
            return found
        raise
    if made is None:
        raise Permanent("Zoho answered the new contact without its id")
    return made
