"""Settings: each connection's sync interval and retry schedule, and where notification e-mails
go. A connection's keys are never shown, and changing its settings does not need them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tillsync.api.deps import HubDep
from tillsync.api.state import health_cache, locks
from tillsync.bootstrap import Hub
from tillsync.connectors.contract import Provider
from tillsync.dashboard.auth import ActingViewerDep, PageViewerDep, Viewer, page_viewer
from tillsync.dashboard.rendering import Page, page
from tillsync.errors import InvalidFields, InvalidInput
from tillsync.services import notices
from tillsync.services.connections.checks import SETTINGS
from tillsync.services.connections.settings import (
    ProviderSettings,
    tenant_settings,
    update_settings,
)
from tillsync.services.health import (
    DEFAULT_INTERVAL_SECONDS,
    DEFAULT_MAX_RETRIES,
    policy_from_settings,
)

PAGE = Page("Settings", "/settings")
router = APIRouter(include_in_schema=False)
ProviderName = Annotated[
    str, Path(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$", description="A provider")
]
EMAIL = "email"


@dataclass(frozen=True, slots=True)
class Setting:
    """One setting of the form: its input's name, and what it means."""

    name: str
    label: str
    unit: str
    hint: str
    warehouse_only: bool = False
    """Only a warehouse is pulled on a schedule."""


SHOWN_SETTINGS = (
    Setting(
        "sync_interval_minutes",
        "Sync every",
        "minutes",
        "How often the catalog and stock are pulled, besides the nightly full check.",
        warehouse_only=True,
    ),
    Setting(
        "retry_interval_seconds", "Retry every", "seconds", "The wait before a failed call again."
    ),
    Setting("max_retries", "Retries", "times", "Then the job fails for good and you are told."),
)


@dataclass(frozen=True, slots=True)
class Field:
    setting: Setting
    value: str
    """As the input shows it: the stored value, or what was typed when it was refused."""
    default: str
    problem: str | None


@dataclass(frozen=True, slots=True)
class ConnectionForm:
    provider: Provider
    connected: bool
    roles: tuple[str, ...]
    fields: tuple[Field, ...]
    schedule: str
    """The retry schedule the stored settings give, in words."""
    problems: tuple[str, ...] = ()
    """Refusals of settings the form does not show."""


def settings_of(roles: Iterable[str]) -> tuple[Setting, ...]:
    """The settings shown for a connection playing these roles."""
    warehouse = "warehouse" in roles
    return tuple(s for s in SHOWN_SETTINGS if warehouse or not s.warehouse_only)


def _default(provider: Provider, name: str) -> str:
    fallback = {
        "retry_interval_seconds": DEFAULT_INTERVAL_SECONDS,
        "max_retries": DEFAULT_MAX_RETRIES,
    }
    declared = provider.settings.model_fields[name].default
    return _text(declared if declared is not None else fallback.get(name))


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def schedule(stored: Mapping[str, object]) -> str:
    delays = policy_from_settings(stored).delays
    if not delays:
        return "Now: a failed call is not retried; its job fails at once and you are told."
    every, total = delays[0], sum(delays)
    return (
        f"Now: a failed call is retried every {_duration(every)}, up to {len(delays)} times "
        f"(over {_duration(total)}); then its job fails for good and you are told."
    )


def _duration(seconds: float) -> str:
    for size, unit in ((86_400, "day"), (3_600, "h"), (60, "min")):
        if seconds >= size:
            count = _text(round(seconds / size, 1))
            return f"{count} {unit}{'s' if unit == 'day' and count != '1' else ''}"
    return f"{_text(round(seconds, 1))} s"


def form_of(
    shown: ProviderSettings,
    *,
    entered: Mapping[str, str] | None = None,
    refused: Mapping[str, str] | None = None,
) -> ConnectionForm:
    refused = refused or {}
    names = settings_of(shown.roles)
    fields = tuple(
        Field(
            setting=setting,
            value=entered[setting.name]
            if entered is not None and setting.name in entered
            else _text(shown.stored.get(setting.name)),
            default=_default(shown.provider, setting.name),
            problem=refused.get(f"{SETTINGS}.{setting.name}"),
        )
        for setting in names
    )
    known = {f"{SETTINGS}.{s.name}" for s in names}
    return ConnectionForm(
        provider=shown.provider,
        connected=shown.connected,
        roles=tuple(sorted(shown.roles)),
        fields=fields,
        schedule=schedule(shown.stored),
        problems=tuple(f"{k}: {v}" for k, v in refused.items() if k not in known),
    )


async def _page(
    request: Request,
    hub: Hub,
    viewer: Viewer,
    *,
    saved: str | None = None,
    status: int = 200,
    forms: Mapping[str, ConnectionForm] | None = None,
    email: str | None = None,
    email_problem: str | None = None,
) -> Response:
    shown = await tenant_settings(hub.services, viewer.tenant_id)
    response = await page(
        request,
        "settings.html",
        viewer,
        current=PAGE,
        forms=[(forms or {}).get(s.provider.name) or form_of(s) for s in shown],
        saved=saved,
        email=email
        if email_problem is not None
        else await notices.notification_email(hub.uows, viewer.tenant_id),
        email_problem=email_problem,
        email_enabled=bool(hub.settings.smtp_host),
    )
    response.status_code = status
    return response


@router.get(PAGE.path, response_class=HTMLResponse)
async def settings(
    request: Request,
    hub: HubDep,
    viewer: PageViewerDep,
    saved: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    return await _page(request, hub, viewer, saved=saved)


@router.post(PAGE.path + "/connections/{provider}")
async def save_connection(
    request: Request, hub: HubDep, viewer: ActingViewerDep, provider: ProviderName
) -> Response:
    """Every value is checked before any is stored; an empty one goes back to its default."""
    declared = hub.services.providers.get(provider)
    form = await request.form()
    entered = {
        s.name: value.strip()
        for s in settings_of(declared.roles)
        if isinstance(value := form.get(s.name), str)
    }
    given = {name: value for name, value in entered.items() if value}
    try:
        async with locks(request).hold(viewer.tenant_id):
            await update_settings(
                hub.services,
                tenant_id=viewer.tenant_id,
                provider=declared.name,
                given=given,
                cleared=[name for name, value in entered.items() if not value],
            )
            health_cache(request, declared.name).forget(viewer.tenant_id)
    except InvalidFields as refused:
        shown = next(
            s
            for s in await tenant_settings(hub.services, viewer.tenant_id)
            if s.provider.name == declared.name
        )
        forms = {declared.name: form_of(shown, entered=entered, refused=refused.problems)}
        shown_to = await page_viewer(request, viewer)
        return await _page(request, hub, shown_to, status=422, forms=forms)
    return RedirectResponse(
        f"{PAGE.path}?saved={declared.name}#connection-{declared.name}", status_code=303
    )


@router.post(PAGE.path + "/email")
async def save_email(request: Request, hub: HubDep, viewer: ActingViewerDep) -> Response:
    """An empty address turns the e-mails off."""
    value = (await request.form()).get(EMAIL)
    address = value.strip() if isinstance(value, str) else ""
    try:
        await notices.set_notification_email(hub.uows, viewer.tenant_id, address or None)
    except InvalidInput as refused:
        problem = refused.message.removeprefix(f"{EMAIL}: ")
        shown_to = await page_viewer(request, viewer)
        return await _page(request, hub, shown_to, status=422, email=address, email_problem=problem)
    return RedirectResponse(f"{PAGE.path}?saved={EMAIL}#email-settings", status_code=303)
