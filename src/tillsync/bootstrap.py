"""Wires the hub from its settings: database, vault, HTTP client, worker, live feed."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial

from tillsync.clock import Clock, SystemClock
from tillsync.config import Settings
from tillsync.connectors.metered import ProviderClients
from tillsync.domain.retry import RetryPolicy
from tillsync.jobs.budget import RateBudgets
from tillsync.jobs.heartbeat import Heartbeat
from tillsync.jobs.scheduler import Duty, Scheduler
from tillsync.jobs.worker import Handler, Worker
from tillsync.metrics import Metrics
from tillsync.providers import Providers, default_providers
from tillsync.services import inventory
from tillsync.services.checklog import CheckLog
from tillsync.services.connections.handlers import handlers as connection_handlers
from tillsync.services.connections.tokens import refreshes
from tillsync.services.connections.watchdog import watchdogs
from tillsync.services.context import Services
from tillsync.services.feed import EventFeed
from tillsync.services.health import ConnectionHooks
from tillsync.services.inbound.handlers import handlers as inbound_handlers
from tillsync.services.mail import send_mail
from tillsync.services.maintenance import RETENTION_KIND, apply_retention, due_retention
from tillsync.services.outbound.handlers import handlers as outbound_handlers
from tillsync.services.record_schedule import due_record_syncs
from tillsync.services.stock_model import StockModel
from tillsync.services.sync.handlers import handlers as sync_handlers
from tillsync.services.sync.schedule import due_syncs
from tillsync.services.tenants import Authenticator
from tillsync.store.database import create_database
from tillsync.store.migrate import upgrade
from tillsync.store.uow import UnitsOfWork
from tillsync.vault import load_vault

log = logging.getLogger(__name__)
SWEEP_SECONDS = 5.0
EVENT_RETENTION = dt.timedelta(hours=24)


def job_handlers(services: Services) -> dict[str, Handler]:
    """Each flow gives the job kinds of every provider of the registry that plays its role."""
    return {
        **sync_handlers(services),
        **outbound_handlers(services),
        **connection_handlers(services),
        **inbound_handlers(services),
        "mail.send": partial(send_mail, services.settings),
        RETENTION_KIND: partial(apply_retention, services),
    }


def schedule_duties(providers: Providers) -> list[Duty]:
    """Periodic work, each duty returning the jobs due now keyed by their time slot."""
    return [
        due_syncs(providers),
        due_record_syncs(providers),
        watchdogs(providers),
        refreshes(providers),
        due_retention,
    ]


@dataclass
class Hub:
    services: Services
    feed: EventFeed
    checks: CheckLog
    authenticate: Authenticator
    metrics: Metrics
    stock: StockModel

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def uows(self) -> UnitsOfWork:
        return self.services.uows

    def create_worker(self, *, retry_policy: RetryPolicy | None = None) -> Worker:
        worker = Worker(
            uows=self.uows,
            handlers=job_handlers(self.services),
            concurrency=self.settings.worker_concurrency,
            lease_seconds=self.settings.job_lease_seconds,
            poll_seconds=self.settings.job_poll_seconds,
            retry_policy=retry_policy,
            hooks=ConnectionHooks(self.settings, self.services.providers),
            observe=self.metrics.job_ran,
        )
        self.uows.on_commit(worker.wake)
        return worker

    def create_scheduler(self) -> Scheduler:
        return Scheduler(
            self.uows,
            schedule_duties(self.services.providers),
            every=self.settings.scheduler_seconds,
        )

    async def run_worker(self, stop: asyncio.Event) -> None:
        """The worker, its heartbeat, the scheduler and housekeeping until `stop` is set."""
        worker = self.create_worker()
        heartbeat = Heartbeat(self.uows, name=worker.name, every=self.settings.heartbeat_seconds)
        await asyncio.gather(
            worker.run(stop),
            heartbeat.run(stop),
            self.create_scheduler().run(stop),
            self._sweep(stop),
        )

    async def _sweep(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await inventory.expire_all_overdue(self.uows)
                await self.feed.prune(older_than=self.uows.clock.now() - EVENT_RETENTION)
            except Exception:
                log.exception("housekeeping failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), SWEEP_SECONDS)


@asynccontextmanager
async def open_hub(
    settings: Settings,
    *,
    clock: Clock | None = None,
    providers: Providers | None = None,
    metrics: Metrics | None = None,
) -> AsyncIterator[Hub]:
    """Migrate the database and open every resource of the hub; close them on exit.

    `providers`: the registry's by default (tests add a provider of their own).
    `metrics`: where this process counts its work (the API's, which serves them).
    """
    metrics = metrics or Metrics()
    vault = load_vault(  # before the database: a hub without its key touches nothing
        keys=settings.secret_keys,
        production=settings.environment == "production",
        data_dir=settings.data_dir,
    )
    database = create_database(settings.resolved_database_url)
    try:
        await upgrade(database)
        uows = UnitsOfWork(database, clock or SystemClock())
        async with ProviderClients(
            timeout=settings.provider_timeout_seconds, observe=metrics.provider_called
        ) as http:
            services = Services(
                settings=settings,
                uows=uows,
                vault=vault,
                http=http,
                budgets=RateBudgets(uows),
                providers=providers or default_providers(),
            )
            feed = EventFeed(uows, poll_seconds=settings.event_poll_seconds)
            uows.on_commit(feed.wake)
            checks = CheckLog(uows, counted=metrics.stock_checked)
            stock = StockModel(
                uows,
                poll_seconds=settings.stock_poll_seconds,
                bound_seconds=settings.stock_freshness_seconds,
            )
            uows.on_events(stock.committed)
            try:
                yield Hub(
                    services=services,
                    feed=feed,
                    checks=checks,
                    authenticate=Authenticator(uows, ttl_seconds=settings.key_trust_seconds),
                    metrics=metrics,
                    stock=stock,
                )
            finally:
                await checks.flush()
    finally:
        await database.dispose()


async def run_until(
    stop: asyncio.Event, *tasks: Callable[[asyncio.Event], Awaitable[None]]
) -> None:
    """Run background loops until `stop`; if one crashes, stop the others too."""

    async def guarded(task: Callable[[asyncio.Event], Awaitable[None]]) -> None:
        try:
            await task(stop)
        finally:
            stop.set()

    await asyncio.gather(*(guarded(task) for task in tasks))
