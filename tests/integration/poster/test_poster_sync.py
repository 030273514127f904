"""Seed 002's own paths: sync status by entity, a smart sync that makes no Poster call for
fresh entities, a forced one that always does, one entity's sync refused while it runs, the
daily trigger once a day, the receiver and the consent on the seed's paths; a sync that
fails for good is e-mailed; and an order of the ordering app never goes to Poster."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from sqlalchemy import select, update

from tests.support.ordering import order_body
from tests.support.poster_world import LOGIN, PosterWorld
from tillsync.connectors.outbound import tls_context
from tillsync.services.connections.settings import update_settings
from tillsync.store.tables import Job, Notification, Run, Tenant

ENTITIES = ["suppliers", "ingredients", "storages", "categories"]
LISTINGS = {
    "suppliers": "/api/storage.getSuppliers",
    "ingredients": "/api/menu.getIngredients",
    "storages": "/api/storage.getStorages",
    "categories": "/api/menu.getCategoriesIngredients",
}


async def _status(world: PosterWorld) -> dict[str, Any]:
    answer = await world.api.get("/api/poster/sync")
    assert answer.status_code == 200, answer.text
    status: dict[str, Any] = answer.json()["status"]
    return status


def _listed(world: PosterWorld, since: dt.datetime) -> list[str]:
    paths = [call.path for call in world.poster.calls_since(since)]
    return [entity for entity, path in LISTINGS.items() if path in paths]


async def test_smart_sync_skips_fresh_entities_and_force_refreshes(world: PosterWorld) -> None:
    assert (await world.connect_token()).status_code == 200
    before = await _status(world)
    assert list(before) == ENTITIES
    assert all(v == {"lastSyncAt": None, "needsSync": True, "age": None} for v in before.values())

    unknown = await world.api.post("/api/poster/sync", json={"entities": ["pastries"]})
    assert (unknown.status_code, unknown.json()["field"]) == (400, "entities")
    assert "pastries" in unknown.json()["message"]

    first = await world.api.post("/api/poster/sync", json={})
    assert first.status_code == 202, first.text
    results = first.json()["results"]
    assert [results[e]["status"] for e in ENTITIES] == ["queued"] * 4
    busy = await world.api.post("/api/poster/sync-suppliers")
    assert (busy.status_code, busy.json()["runId"]) == (409, results["suppliers"]["runId"])
    mark = dt.datetime.now(dt.UTC)
    await world.work()
    assert sorted(_listed(world, mark)) == sorted(ENTITIES)
    after = await _status(world)
    assert all(v["needsSync"] is False and v["age"] == 0 for v in after.values()), after
    assert after["suppliers"]["lastSyncAt"] is not None

    mark = dt.datetime.now(dt.UTC)
    smart = await world.api.post("/api/poster/sync", json={"entities": ["suppliers", "storages"]})
    assert smart.status_code == 200, smart.text
    skipped = smart.json()["results"]
    assert [skipped[e]["status"] for e in ("suppliers", "storages")] == ["skipped"] * 2
    assert "within 24 hours" in skipped["suppliers"]["reason"]
    await world.work()
    assert world.poster.calls_since(mark) == []  # fresh: Poster is not asked

    async with world.hub.uows.begin() as uow:  # the ingredients' last sync: a day and an hour ago
        for run in await uow.session.scalars(select(Run).where(Run.entity == "ingredients")):
            run.started_at -= dt.timedelta(hours=25)
        await uow.commit()
    aged = await _status(world)
    assert (aged["ingredients"]["needsSync"], aged["ingredients"]["age"]) == (True, 25 * 60)
    assert aged["storages"]["needsSync"] is False
    smart = await world.api.post("/api/poster/sync")  # no body: every entity, smartly
    assert smart.status_code == 202, smart.text
    statuses = {e: r["status"] for e, r in smart.json()["results"].items()}
    assert statuses == {e: "queued" if e == "ingredients" else "skipped" for e in ENTITIES}
    await world.work()
    assert _listed(world, mark) == ["ingredients"]

    mark = dt.datetime.now(dt.UTC)
    forced = await world.api.post(
        "/api/poster/sync", json={"force": True, "entities": ["storages"]}
    )
    assert (forced.status_code, forced.json()["results"]["storages"]["status"]) == (202, "queued")
    one = await world.api.post("/api/sync-ingredients")
    assert (one.status_code, one.json()["entity"]) == (202, "ingredients"), one.text
    sections = await world.api.post("/api/sync-sections")  # the storages, forced a moment ago
    assert sections.status_code == 409, sections.text
    assert sections.json()["runId"] == forced.json()["results"]["storages"]["runId"]
    await world.work()
    assert sorted(_listed(world, mark)) == ["ingredients", "storages"]


async def test_the_daily_trigger_syncs_each_entity_once_a_day(world: PosterWorld) -> None:
    assert (await world.connect_token()).status_code == 200
    first = await world.api.get("/api/cron/sync-poster")
    assert first.status_code == 200, first.text
    assert {r["status"] for r in first.json()["results"].values()} == {"queued"}
    mark = dt.datetime.now(dt.UTC)
    await world.work()
    assert sorted(_listed(world, mark)) == sorted(ENTITIES)
    again = await world.api.get("/api/cron/sync-poster")
    assert {r["status"] for r in again.json()["results"].values()} == {"done"}
    async with world.hub.uows.read() as session:
        runs = list(await session.scalars(select(Run)))
    assert sorted((r.entity, r.type, r.status) for r in runs) == [
        (e, "automatic", "success") for e in sorted(ENTITIES)
    ]
    assert (await world.hub.create_scheduler().tick()) >= 0
    async with world.hub.uows.read() as session:
        syncs = list(await session.scalars(select(Job).where(Job.kind == "poster.sync_records")))
    assert len(syncs) == 4  # whatever the hour, the day's syncs exist once


async def test_seed_paths_receive_hooks_and_connect_through_consent(world: PosterWorld) -> None:
    health = await world.api.get("/api/poster/webhooks")
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    consent = await world.api.get("/api/poster/oauth/authorize")
    assert consent.status_code == 302, consent.text
    async with httpx.AsyncClient(timeout=10) as browser:
        back = await browser.get(consent.headers["location"])
    redirect = urlsplit(back.headers["location"])
    assert redirect.path == "/api/poster/oauth/callback"  # seed 002's POSTER_REDIRECT_URI
    query = {k: v[0] for k, v in parse_qs(redirect.query).items()}
    async with httpx.AsyncClient(verify=tls_context(), base_url=world.url, timeout=10) as b:
        answer = await b.get("/api/poster/oauth/callback", params=query)
        reused = await b.get("/api/poster/oauth/callback", params=query)
    assert answer.status_code == 200, answer.text
    assert (reused.status_code, reused.json()["field"]) == (400, "state")
    assert answer.json()["data"]["roles"] == ["records"]
    await world.api.post("/api/sync-ingredients")
    await world.work()
    await world.change("PUT", "ingredients/1", {"ingredient_name": "Oat milk"})

    async def renamed() -> bool:
        return (await world.stored("ingredients"))["1"].name == "Oat milk"

    await world.work_until(renamed)
    hooks = [d for d in world.poster.deliveries_since() if d.account == LOGIN]
    assert [hook.status for hook in hooks][-1:] == [200]


async def test_a_sync_failing_for_good_is_emailed_and_orders_skip_poster(
    world: PosterWorld,
) -> None:
    assert (await world.connect_token()).status_code == 200
    await update_settings(
        world.hub.services, tenant_id=world.tenant_id, provider="poster", given={"max_retries": 1}
    )
    world.hub.settings.smtp_host = "127.0.0.1"  # mail is queued; nothing is sent here
    async with world.hub.uows.begin() as uow:
        await uow.session.execute(
            update(Tenant).where(Tenant.id == world.tenant_id).values(notify_email="chef@kava.test")
        )
        await uow.commit()
    rule = {"path": LISTINGS["ingredients"], "action": "fail_before", "status": 500, "times": None}
    async with httpx.AsyncClient(base_url=world.emulator, timeout=10) as control:
        assert (await control.put("/_emulator/faults", json={"rules": [rule]})).status_code == 200
    queued = await world.api.post("/api/sync-ingredients")
    assert queued.status_code == 202, queued.text

    async def given_up() -> list[Notification]:
        async with world.hub.uows.read() as session:
            return list(await session.scalars(select(Notification)))

    told = await world.work_until(given_up)
    assert [(n.kind, n.severity) for n in told] == [("job_failed", "critical")]
    assert told[0].title == "Syncing ingredients from Poster failed"
    assert "ingredients" in told[0].message
    async with world.hub.uows.read() as session:
        mails = list(await session.scalars(select(Job).where(Job.kind == "mail.send")))
        run = await session.get(Run, queued.json()["runId"])
    assert [(m.payload["to"], m.payload["subject"]) for m in mails] == [
        ("chef@kava.test", "Syncing ingredients from Poster failed")
    ]
    assert run is not None
    assert (run.status, "500" in (run.error or "")) == ("failed", True)

    placed = await world.api.post("/api/v1/orders", json=order_body(world.tenant_id, "o-1"))
    assert placed.status_code in (200, 201), placed.text
    async with world.hub.uows.read() as session:
        kinds = set(await session.scalars(select(Job.kind)))
    assert not any(kind.endswith(".push_order") for kind in kinds), kinds
