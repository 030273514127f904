"""Schemathesis hooks for the fuzzing test: the webhook's secret, and no call off this machine.

Deliveries to the CIN7 receiver carry the connection's secret (from `WEBHOOK_SECRET` in the
environment), so they are fuzzed past the check of their secret. (Headers set per operation
in schemathesis.toml would stay on its shared session for the operations after it.)

The CRM address is the one a tenant sets. The fuzzed hub refuses loopback and private
addresses (`allow_private_addresses` is off), so the only calls it could still make would
go to a public address: any fuzzed URL that names a host other than a loopback address is
replaced with one the policy refuses, before it is sent.
"""

from __future__ import annotations

import ipaddress
import os
from typing import Any

import httpx
import schemathesis

REFUSED = "http://127.0.0.1:9"
WEBHOOK_SECRET = "TILLSYNC_FUZZ_WEBHOOK_SECRET"
WEBHOOK = "/api/cin7/webhook"


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    body = case.body
    if case.path == WEBHOOK and case.method == "POST" and WEBHOOK_SECRET in os.environ:
        case.headers = {
            **(case.headers or {}),
            "Authorization": f"Bearer {os.environ[WEBHOOK_SECRET]}",
        }
    if case.path == "/api/crm/connection" and isinstance(body, dict):
        url = body.get("url")
        if isinstance(url, str) and not _stays_here(url):
            body["url"] = REFUSED


def _stays_here(url: str) -> bool:
    """True only for a URL no client could call, or one naming a loopback address."""
    try:
        host = httpx.URL(url.strip()).host
    except (httpx.InvalidURL, TypeError, ValueError):
        return True
    if not host:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
