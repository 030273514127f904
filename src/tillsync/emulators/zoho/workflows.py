"""Workflow webhooks as the user sets them up in Zoho's settings: no API, no signature.

Each one names the organization, the module whose changes fire it (`item` or
`salesorder`), the URL, and a custom header carrying a shared secret, plus optional
query parameters, as Zoho's webhook form lets a user add them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from tillsync.emulators.zoho.events import ENTITIES
from tillsync.emulators.zoho.wire import new_id


@dataclass(slots=True)
class Workflow:
    organization_id: str
    entity: str
    url: str
    header_name: str | None = None
    secret: str | None = None
    params: dict[str, str] = field(default_factory=dict)
    id: str = field(default_factory=new_id)

    def __post_init__(self) -> None:
        if self.entity not in ENTITIES:
            raise ValueError(f"entity must be one of {', '.join(ENTITIES)}")
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("url must be an http(s) URL")
        if (self.header_name is None) != (self.secret is None):
            raise ValueError("header_name and secret go together")

    def document(self, *, with_secret: bool = False) -> dict[str, Any]:
        return {
            "webhook_id": self.id,
            "organization_id": self.organization_id,
            "entity": self.entity,
            "url": self.url,
            "header_name": self.header_name,
            "secret": self.secret if with_secret else None,
            "params": dict(self.params),
        }
