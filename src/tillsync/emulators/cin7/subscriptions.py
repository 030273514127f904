"""Webhook subscriptions: the 32 real event types, five per type, secrets kept as given."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

from tillsync.emulators.cin7.commands import WebhookInput
from tillsync.emulators.cin7.errors import Cin7Error, required
from tillsync.emulators.cin7.records import Account, Webhook

WEBHOOK_TYPES = frozenset(
    {
        "Sale/Created",
        "Sale/QuoteAuthorised",
        "Sale/OrderAuthorised",
        "Sale/Voided",
        "Sale/Backordered",
        "Sale/ShipmentAuthorised",
        "Sale/InvoiceAuthorised",
        "Sale/PickAuthorised",
        "Sale/PackAuthorised",
        "Sale/CreditNoteAuthorised",
        "Sale/Undo",
        "Sale/PartialPaymentReceived",
        "Sale/FullPaymentReceived",
        "Sale/AttachmentAdded",
        "Sale/AdditionalAttributesChanged",
        "Sale/ShipmentTrackingNumberChanged",
        "Purchase/OrderAuthorised",
        "Purchase/InvoiceAuthorised",
        "Purchase/StockReceivedAuthorised",
        "Purchase/CreditNoteAuthorised",
        "Purchase/Updated",
        "Customer/Updated",
        "Supplier/Updated",
        "Product/Updated",
        "Stock/AvailableStockLevelChanged",
        "Lead/Updated",
        "Lead/Converted",
        "Opportunity/Authorized",
        "Opportunity/AttachmentAdded",
        "Opportunity/Voided",
        "Opportunity/Converted",
        "Task/Overdue",
    }
)
AUTH_TYPES = ("noauth", "basicauth", "bearerauth")
MAX_PER_TYPE = 5


class Subscriptions:
    def list(self, account: Account) -> list[Webhook]:
        return list(account.webhooks.values())

    def save(self, account: Account, data: WebhookInput, *, creating: bool) -> Webhook:
        """POST creates (any ID is ignored), PUT replaces the webhook with that ID."""
        current = None
        if not creating:
            if not data.id:
                raise required("ID")
            current = account.webhooks.get(data.id)
            if current is None:
                raise Cin7Error("Webhook not found")
        event_type = self._type(data.type)
        url = self._url(data.url)
        auth_type = (data.auth_type or "noauth").lower()
        if auth_type not in AUTH_TYPES:
            raise Cin7Error(f"ExternalAuthorizationType '{data.auth_type}' is not valid")
        if auth_type == "basicauth" and not (data.user_name and data.password):
            raise required("ExternalUserName and ExternalPassword")
        if auth_type == "bearerauth" and not data.bearer_token:
            raise required("ExternalBearerToken")
        same_type = [
            w for w in account.webhooks.values() if w.type == event_type and w is not current
        ]
        if len(same_type) >= MAX_PER_TYPE:
            raise Cin7Error(f"Maximum of {MAX_PER_TYPE} webhooks of type '{event_type}' is reached")
        webhook = Webhook(
            id=str(uuid.uuid4()) if current is None else current.id,
            type=event_type,
            url=url,
            is_active=data.is_active,
            auth_type=auth_type,
            user_name=data.user_name,
            password=data.password,
            bearer_token=data.bearer_token,
            headers=list(data.headers),
        )
        account.webhooks[webhook.id] = webhook
        return webhook

    def delete(self, account: Account, webhook_id: str | None) -> None:
        if not webhook_id:
            raise required("ID")
        if account.webhooks.pop(webhook_id, None) is None:
            raise Cin7Error("Webhook not found")

    @staticmethod
    def _type(value: str | None) -> str:
        if not value:
            raise required("Type")
        for known in WEBHOOK_TYPES:
            if known.casefold() == value.casefold():
                return known
        raise Cin7Error(f"Webhook type '{value}' is not supported")

    @staticmethod
    def _url(value: str | None) -> str:
        if not value:
            raise required("ExternalURL")
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise Cin7Error(f"ExternalURL '{value}' is not a valid URL")
        return value
