"""Answers of seed 004's integration endpoints, with the function that writes them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tillsync.api.answers import Answer, when
from tillsync.services.pos import Integration


class ShownWebhook(Answer):
    """Shown once, in the connect answer: what the user pastes at the provider."""

    url: str
    header: str
    secret: str


class ShownIntegration(Answer):
    id: str
    business_id: str
    provider: str
    is_active: bool
    status: str
    location_id: str | None
    merchant_id: str | None
    auto_sync_orders: bool
    sync_customer_info: bool
    token_expires_at: dt.datetime | None
    last_sync_at: dt.datetime | None
    error_count: int
    last_error: str | None
    created_at: dt.datetime
    webhook: ShownWebhook | None = None


class IntegrationData(Answer):
    integration: ShownIntegration


class IntegrationAnswer(Answer):
    success: bool
    data: IntegrationData
    message: str


class Disconnected(Answer):
    success: bool
    message: str


class MappingData(Answer):
    item_mapping: dict[str, str]


class MappingAnswer(Answer):
    success: bool
    data: MappingData
    message: str


def integration_json(found: Integration, *, message: str) -> dict[str, Any]:
    settings = found.settings
    shown = {
        "id": found.id,
        "business_id": found.business_id,
        "provider": found.provider,
        "is_active": found.is_active,
        "status": found.status,
        "location_id": settings.location_id,
        "merchant_id": settings.merchant_id,
        "auto_sync_orders": settings.auto_sync_orders,
        "sync_customer_info": settings.sync_customer_info,
        "token_expires_at": when(settings.token_expires_at),
        "last_sync_at": when(found.last_sync_at),
        "error_count": found.error_count,
        "last_error": found.last_error,
        "created_at": when(found.created_at),
    }
    if found.webhook is not None:
        shown["webhook"] = found.webhook.shown()
    return {"success": True, "data": {"integration": shown}, "message": message}


def mapping_json(found: Integration, *, message: str) -> dict[str, Any]:
    return {
        "success": True,
        "data": {"item_mapping": dict(found.settings.item_mapping)},
        "message": message,
    }
