"""Connection health: each settled attempt updates its connection and tells the seller once.

The worker calls these hooks inside the transaction that settles the attempt, so the
connection's error count, its notifications and their e-mails commit with the job's new
state or not at all. Counting is one UPDATE ... RETURNING: concurrent workers settling
jobs of one connection never lose a failure, and they agree on when the streak began.

What counts as a failure of the connection: retryable, auth and permanent outcomes.
Throttling does not: the provider is up and asked us to slow down, which the schedule
already does; a throttled job that finally gives up still raises `job_failed`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import case, literal, or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from tillsync.config import Settings
from tillsync.domain.retry import RetryPolicy
from tillsync.services.job_titles import job_title
from tillsync.services.notifications import MAIL_KIND, notify
from tillsync.store.tables import Connection, Job
from tillsync.store.types import UTCDateTime

if TYPE_CHECKING:
    from tillsync.providers import Providers

log = logging.getLogger(__name__)

STREAK_TO_NOTIFY = 3
DEFAULT_INTERVAL_SECONDS = 300.0
DEFAULT_MAX_RETRIES = 12
MAX_RETRIES_CEILING = 1000
REAUTH = "reauth_required"
ERROR_LENGTH = 2000


def policy_from_settings(settings: Mapping[str, Any]) -> RetryPolicy:
    """A connection's schedule; seed 004's default is every 5 minutes for an hour."""
    interval = _number(settings, "retry_interval_seconds", DEFAULT_INTERVAL_SECONDS)
    retries = int(min(_number(settings, "max_retries", DEFAULT_MAX_RETRIES), MAX_RETRIES_CEILING))
    defaults = RetryPolicy()
    base = _number(settings, "throttle_base_seconds", defaults.throttle_base)
    cap = _number(settings, "throttle_cap_seconds", defaults.throttle_cap)
    return RetryPolicy(
        delays=(interval,) * retries, throttle_base=base, throttle_cap=max(cap, base)
    )


def _number(settings: Mapping[str, Any], key: str, default: float) -> float:
    value = settings.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        log.warning("connection setting ignored", extra={"setting": key, "using": default})
        return float(default)
    return float(value)


@dataclass(frozen=True, slots=True)
class _Streak:
    tenant_id: str
    provider: str
    role: str
    error_count: int
    failing_since: dt.datetime | None


class ConnectionHooks:
    """The worker's `JobHooks`: retry schedules, connection health and notifications."""

    def __init__(self, settings: Settings, providers: Providers) -> None:
        self.settings = settings
        self.providers = providers

    async def policy(self, session: AsyncSession, job: Job) -> RetryPolicy | None:
        if job.connection_id is None:
            return None
        connection = await session.get(Connection, job.connection_id)
        return policy_from_settings(connection.settings or {}) if connection else None

    async def succeeded(self, session: AsyncSession, job: Job, *, now: dt.datetime) -> None:
        if job.connection_id is None:
            return
        unhealthy = or_(
            Connection.error_count != 0,
            Connection.failing_since.is_not(None),
            Connection.status == REAUTH,
        )
        await session.execute(
            update(Connection)
            .where(Connection.id == job.connection_id, unhealthy)
            .values(
                error_count=0,
                failing_since=None,
                last_error=None,
                status=case((Connection.status == REAUTH, "active"), else_=Connection.status),
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )

    async def failed(
        self,
        session: AsyncSession,
        job: Job,
        *,
        error_class: str,
        message: str,
        final: bool,
        now: dt.datetime,
    ) -> None:
        tenant_id = job.tenant_id
        if job.connection_id is not None:
            streak = await self._count(
                session, job.connection_id, error_class=error_class, message=message, now=now
            )
            if streak is not None:
                tenant_id = streak.tenant_id
            if streak is not None and error_class != "throttled":
                await self._tell_streak(
                    session, job, streak=streak, error_class=error_class, message=message, now=now
                )
        # An auth failure is told once as reauth_required; one notice per job would be noise.
        if final and error_class != "auth" and tenant_id is not None:
            what = self._title(job)
            await notify(
                session,
                tenant_id=tenant_id,
                connection_id=job.connection_id,
                kind="job_failed",
                severity="critical",
                title=f"{what} failed",
                message=(
                    f"{what} gave up after {job.attempts} attempt(s): {message} "
                    f"(job {job.kind}{f' for {job.subject}' if job.subject else ''})"
                ),
                dedupe_key=f"failed:{job.id}",
                now=now,
                settings=self.settings,
                email=job.kind != MAIL_KIND,  # a failed e-mail is not e-mailed about
            )

    def _title(self, job: Job) -> str:
        known = {provider.name: provider.title for provider in self.providers}
        return job_title(job.kind, job.subject, provider_title=lambda name: known.get(name, name))

    async def _count(
        self,
        session: AsyncSession,
        connection_id: str,
        *,
        error_class: str,
        message: str,
        now: dt.datetime,
    ) -> _Streak | None:
        """Add this failure to the connection's streak; None if the connection is gone."""
        values: dict[str, Any] = {"updated_at": now}
        if error_class != "throttled":
            moment = literal(now, UTCDateTime())
            # SET expressions read the row as it was: a streak starts when the count was 0.
            started = or_(Connection.error_count == 0, Connection.failing_since.is_(None))
            values |= {
                "error_count": Connection.error_count + 1,
                "failing_since": case((started, moment), else_=Connection.failing_since),
                "last_error": message[:ERROR_LENGTH],
            }
        if error_class == "auth":
            values["status"] = REAUTH
        row = (
            await session.execute(
                update(Connection)
                .where(Connection.id == connection_id)
                .values(**values)
                .returning(
                    Connection.tenant_id,
                    Connection.provider,
                    Connection.role,
                    Connection.error_count,
                    Connection.failing_since,
                )
                .execution_options(synchronize_session=False)
            )
        ).first()
        return None if row is None else _Streak(*row)

    async def _tell_streak(
        self,
        session: AsyncSession,
        job: Job,
        *,
        streak: _Streak,
        error_class: str,
        message: str,
        now: dt.datetime,
    ) -> None:
        if streak.failing_since is None:
            return
        key = f"{job.connection_id}:{streak.failing_since.isoformat()}"
        name = f"{streak.provider} {streak.role}"
        if streak.error_count >= STREAK_TO_NOTIFY:
            await notify(
                session,
                tenant_id=streak.tenant_id,
                connection_id=job.connection_id,
                kind="consecutive_failures",
                severity="warning",
                title=f"The {name} connection is failing",
                message=(
                    f"{streak.error_count} attempts in a row to reach {streak.provider} failed "
                    f"(since {streak.failing_since:%Y-%m-%d %H:%M} UTC). tillsync keeps "
                    f"retrying on the connection's schedule. Latest error: {message}"
                ),
                dedupe_key=f"streak:{key}",
                now=now,
                settings=self.settings,
            )
        if error_class == "auth":
            await notify(
                session,
                tenant_id=streak.tenant_id,
                connection_id=job.connection_id,
                kind=REAUTH,
                severity="critical",
                title=f"Reconnect {streak.provider}",
                message=(
                    f"{streak.provider} refused tillsync's credentials and they could not be "
                    f"renewed. Work for the {name} connection fails until you reconnect it. "
                    f"Error: {message}"
                ),
                dedupe_key=f"reauth:{key}",
                now=now,
                settings=self.settings,
            )
