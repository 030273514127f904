"""A notification raised straight through the service, at a chosen moment."""

from __future__ import annotations

import datetime as dt

from tests.support.hubs import RunningHub
from tillsync.services.notifications import notify

T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


async def raise_notice(served: RunningHub, tenant_id: str, name: str, *, minutes: int = 0) -> str:
    """A critical "`name` failed" notice of the tenant, `minutes` after T0; its id."""
    async with served.hub.uows.begin() as uow:
        notice = await notify(
            uow.session,
            tenant_id=tenant_id,
            connection_id=None,
            kind="job_failed",
            severity="critical",
            title=f"{name} failed",
            message=f"{name} gave up after 13 attempt(s)",
            dedupe_key=f"failed:{name}",
            now=T0 + dt.timedelta(minutes=minutes),
            settings=served.hub.settings,
        )
        await uow.commit()
    assert notice is not None
    return notice.id
