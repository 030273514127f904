"""Pages rendered from the package's Jinja2 templates, each with the headers a page needs."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from tillsync import __version__
from tillsync.api.deps import get_hub
from tillsync.dashboard.auth import Viewer
from tillsync.domain.ledger import format_quantity
from tillsync.services.alerts import count_open
from tillsync.services.notices import count_unread

TEMPLATES = Path(__file__).parent / "templates"
HEADERS = {
    # Every script and style is a file of the package: nothing inline, nothing from elsewhere.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'; object-src 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@dataclass(frozen=True, slots=True)
class Page:
    """A page of the navigation: what it is called, where it is, and the count it shows."""

    title: str
    path: str
    badge: str | None = None
    """The name of a count every page knows (`open_alerts`), shown beside the title."""


@functools.cache
def templates() -> Jinja2Templates:
    found = Jinja2Templates(directory=TEMPLATES)  # HTML is autoescaped
    found.env.filters["quantity"] = _quantity
    found.env.filters["ago"] = ago
    found.env.globals["version"] = __version__
    return found


def _quantity(value: Decimal | None) -> str:
    return "—" if value is None else format_quantity(value)


def page_count(total: int, per_page: int) -> int:
    """How many pages `total` rows fill, one at least (an empty list is one page)."""
    return max(1, -(-total // per_page))


def ago(when: dt.datetime | None, now: dt.datetime) -> str:
    """`just now`, `4 min ago`, `3 h ago`, `2 days ago`; `never` for no time."""
    if when is None:
        return "never"
    seconds = int((now - when).total_seconds())
    for unit, size in (("day", 86_400), ("h", 3_600), ("min", 60)):
        if seconds >= size:
            count = seconds // size
            label = f"{unit}s" if unit == "day" and count > 1 else unit
            return f"{count} {label} ago"
    return "just now"


def render(request: Request, name: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    response = templates().TemplateResponse(request, name, context, status_code=status)
    response.headers.update(HEADERS)
    return response


async def page(
    request: Request, name: str, viewer: Viewer, *, current: Page, **context: Any
) -> HTMLResponse:
    """A signed-in page: the navigation with its counts, then the page's own content."""
    hub = get_hub(request)
    counts = {
        "open_alerts": await count_open(hub.uows, viewer.tenant_id),
        "unread_notifications": await count_unread(hub.uows, viewer.tenant_id),
    }
    return render(
        request,
        name,
        viewer=viewer,
        current=current,
        counts=counts,
        now=hub.uows.clock.now(),
        **counts,
        **context,
    )
