"""Poster's day: the API calls a restaurant's day costs, and a change's way to its record.

Seed 002 counts 10 to 15 Poster calls a day with webhooks and a daily sync, against 72 for
an hourly cron. This bench runs the Poster emulator (its real hooks, md5-signed, sent to
the hub's seed 002 receiver) and the hub with its embedded worker, connects a restaurant
by its personal token and brings its four entities in once (a force sync, not counted).
Then a simulated day:

1. --changes back-office changes, one every --gap-ms, over ingredients, storages and
   categories (renamed, or a new ingredient): each change's lag is from just before the
   emulator was asked to make it to the first read of the hub's record that shows it
   (`GET /api/connections/poster/records/{entity}/{id}`, every --probe-ms);
2. the daily safety sync (`GET /api/cron/sync-poster`), followed to its end.

It prints the Poster calls each phase made, as the emulator logged them, and the lag
percentiles (seed 002: about 2 s; ours: p95 under 500 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import tempfile
import time
from collections.abc import Awaitable
from pathlib import Path

import httpx

from rig import hub_app, percentile
from tillsync.bootstrap import Hub
from tillsync.config import OAuthApp
from tillsync.emulators.poster import PosterState, create_poster_emulator
from tillsync.services.tenants import create_tenant
from tillsync.serving import serve

LOGIN = "benchkava"
RECEIVER = "/api/poster/webhooks"
CHANGED = (  # entity, the emulator's id of a seeded object, its name field
    ("ingredients", 1, "ingredient_name"),
    ("storages", 1, "storage_name"),
    ("categories", 1, "name"),
    ("ingredients", 2, "ingredient_name"),
    ("storages", 2, "storage_name"),
)


async def main(args: argparse.Namespace) -> None:
    state = PosterState()
    account = state.create_account(login=LOGIN, company_name="Bench Kava")
    state.seed_demo(LOGIN)
    application = state.application
    with tempfile.TemporaryDirectory(prefix="tillsync-bench-") as folder:
        async with serve(create_poster_emulator(state)) as emulator:
            oauth = OAuthApp(
                client_id=application.application_id,
                client_secret=application.application_secret,
            )
            settings, app = hub_app(
                Path(folder),
                args.database_url,
                provider_urls={"poster": emulator},
                oauth_apps={"poster": oauth},
            )
            async with serve(app) as hub_url:
                settings.public_url = hub_url
                state.configure_application(webhook_url=hub_url + RECEIVER)
                hub: Hub = app.state.hub
                tenant = await create_tenant(hub.uows, name="Bench Kava")
                headers = {"Authorization": f"Bearer {tenant.api_key}"}
                async with (
                    httpx.AsyncClient(base_url=hub_url, headers=headers, timeout=30) as api,
                    httpx.AsyncClient(base_url=emulator + "/_emulator", timeout=30) as control,
                ):
                    credentials = {"access_token": account.access_token, "account": LOGIN}
                    put = await api.put(
                        "/api/connections/poster", json={"credentials": credentials}
                    )
                    put.raise_for_status()
                    await _synced(api, api.post("/api/poster/sync", json={"force": True}))
                    await _day(args, state, api, control)


async def _synced(api: httpx.AsyncClient, asking: Awaitable[httpx.Response]) -> None:
    """Ask for syncs; wait until every entity has a successful one begun since."""
    since = dt.datetime.now(dt.UTC)
    (await asking).raise_for_status()
    async with asyncio.timeout(120):
        while True:
            status = (await api.get("/api/poster/sync")).json()["status"]
            ends = [entity.get("lastSyncAt") for entity in status.values()]
            if all(end and dt.datetime.fromisoformat(end) >= since for end in ends):
                return
            await asyncio.sleep(0.1)


async def _day(
    args: argparse.Namespace, state: PosterState, api: httpx.AsyncClient, control: httpx.AsyncClient
) -> None:
    began = dt.datetime.now(dt.UTC)
    lags: list[float] = []
    for number, change in zip(range(args.changes), itertools.cycle(CHANGED), strict=False):
        name = f"Bench {number:03d}"
        started = time.perf_counter()
        entity, object_id = await _make(control, change, name, new=number % 5 == 4)
        await _shows(api, entity, object_id, name, args.probe_ms / 1000)
        lags.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(args.gap_ms / 1000)
    by_hook = len(state.calls_since(began))
    daily_began = dt.datetime.now(dt.UTC)
    await _synced(api, api.get("/api/cron/sync-poster"))
    daily = len(state.calls_since(daily_began))
    _report(args, lags, by_hook, daily)


async def _make(
    control: httpx.AsyncClient, change: tuple[str, int, str], name: str, *, new: bool
) -> tuple[str, int]:
    """Rename a seeded object, or (`new`) add an ingredient; the object's entity and id."""
    if new:
        made = await control.post(
            f"/accounts/{LOGIN}/ingredients", json={"fields": {"ingredient_name": name}}
        )
        made.raise_for_status()
        return "ingredients", int(made.json()["ingredient_id"])
    entity, object_id, field = change
    changed = await control.put(f"/accounts/{LOGIN}/{entity}/{object_id}", json={field: name})
    changed.raise_for_status()
    return entity, object_id


async def _shows(
    api: httpx.AsyncClient, entity: str, object_id: int, name: str, every: float
) -> None:
    path = f"/api/connections/poster/records/{entity}/{object_id}"
    async with asyncio.timeout(30):
        while True:
            answer = await api.get(path)
            if answer.status_code == 200 and answer.json().get("name") == name:
                return
            await asyncio.sleep(every)


def _report(args: argparse.Namespace, lags: list[float], by_hook: int, daily: int) -> None:
    print(f"Poster's day: {args.changes} back-office changes by webhook, then the daily sync")
    print(f"  changes seen / made          {len(lags)} of {args.changes}")
    for share, label in ((0.5, "p50"), (0.95, "p95"), (0.99, "p99"), (1.0, "max")):
        print(f"  webhook to record {label:<10} {percentile(lags, share):8.0f} ms")
    print(f"  Poster calls for the hooks   {by_hook} (one fetch of each changed object)")
    print(f"  Poster calls, daily sync     {daily} (one listing per entity and page)")
    print(f"  Poster calls, the day        {by_hook + daily} (seed 002: 10-15; hourly cron: 72)")


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--gap-ms", type=float, default=500, help="between two changes")
    parser.add_argument("--probe-ms", type=float, default=10, help="the record read every")
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default: SQLite)")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse()))
