"""Poster's back office kept as records: connected by a personal token or through OAuth,
each entity synced whole as a run (numbers exact, removals marked, unchanged skipped), and
the records read by the app, paged, searched and scoped to the tenant."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from tests.support.poster_world import LOGIN, PosterWorld
from tillsync.domain.records import RemoteRecord
from tillsync.services.connections.links import find_connection
from tillsync.services.records import upsert_records
from tillsync.services.tenants import create_tenant
from tillsync.store.tables import Connection, Run

ENTITIES = ("suppliers", "ingredients", "storages", "categories")
TWO_YEARS = dt.timedelta(days=730)


async def _connection(world: PosterWorld) -> Connection:
    async with world.hub.uows.read() as session:
        found = await find_connection(session, world.tenant_id, "poster")
    assert found is not None
    return found


async def _sync(world: PosterWorld, entity: str) -> dict[str, Any]:
    """Queue one entity's sync, run it, answer its run's details."""
    queued = await world.api.post(f"/api/connections/poster/records/{entity}/sync")
    assert queued.status_code == 202, queued.text
    again = await world.api.post(f"/api/connections/poster/records/{entity}/sync")
    assert again.status_code == 409, again.text  # a second manual sync waits for the first
    assert again.json()["runId"] == queued.json()["runId"]
    await world.work()
    async with world.hub.uows.read() as session:
        run = await session.get(Run, queued.json()["runId"])
    assert run is not None
    assert (run.status, run.error, run.entity, run.pages) == ("success", None, entity, 1)
    return run.details


async def test_a_token_connection_syncs_each_entity_with_exact_numbers(world: PosterWorld) -> None:
    world.poster.configure_application(webhook_url=None)  # the syncs alone keep records here
    answer = await world.connect_token()
    assert answer.status_code == 200, answer.text
    connection = await _connection(world)
    assert connection.settings["merchant_id"] == LOGIN
    assert connection.token_expires_at is not None  # a personal token lives two years
    left = connection.token_expires_at - dt.datetime.now(dt.UTC)
    assert TWO_YEARS - dt.timedelta(minutes=5) < left <= TWO_YEARS

    first = {entity: await _sync(world, entity) for entity in ENTITIES}
    assert [first[e]["created"] for e in ENTITIES] == [2, 3, 2, 2]
    milk = (await world.records("ingredients", search="MILK"))["records"]
    assert [r["name"] for r in milk] == ["Milk 3.2%"]
    data = milk[0]["data"]
    assert data["ingredient_left"] == "30.5"  # Poster's "30.50000", kitchen 24.5 + bar 6
    assert (data["limit_value"], data["hidden"], data["category_id"]) == ("0", False, "1")
    suppliers = (await world.records("suppliers"))["records"]
    assert {r["name"] for r in suppliers} == {"Green Farm", "Milk Co"}
    assert next(r for r in suppliers if r["name"] == "Milk Co")["data"]["supplier_adress"]

    await world.change("DELETE", "ingredients/3")  # stays listed with delete "1"
    await world.change("DELETE", "categories/2")  # leaves the list
    await world.change("PUT", "storages/2", {"storage_name": "Terrace bar"})
    again = {entity: await _sync(world, entity) for entity in ENTITIES}
    counted = {
        e: (d["created"], d["updated"], d["unchanged"], d["removed"]) for e, d in again.items()
    }
    assert counted == {
        "suppliers": (0, 0, 2, 0),
        "ingredients": (0, 0, 2, 1),
        "storages": (0, 1, 1, 0),
        "categories": (0, 0, 1, 1),
    }
    eggs = (await world.stored("ingredients"))["3"]
    assert eggs.deleted_at is not None  # kept, marked removed
    shown = await world.records("ingredients", removed="true")
    assert [r["name"] for r in shown["records"]] == ["Eggs"]
    assert shown["records"][0]["removed_at"] is not None
    live = await world.records("ingredients", limit=1, offset=1)
    assert (live["total"], len(live["records"])) == (2, 1)
    assert (await world.records("storages", search="terrace"))["total"] == 1


async def test_records_answer_only_their_tenant_and_name_a_bad_value(world: PosterWorld) -> None:
    assert (await world.connect_token()).status_code == 200
    await _sync(world, "storages")
    one = await world.api.get("/api/connections/poster/records/storages/1")
    assert (one.status_code, one.json()["name"]) == (200, "Kitchen")
    for path, status, field in (
        ("/records/pastries", 400, "entity"),
        ("/records/storages/99", 404, "external_id"),
        ("/records/storages?limit=0", 422, "query.limit"),
        ("/records/pastries/sync", 400, "entity"),
    ):
        method = world.api.post if path.endswith("/sync") else world.api.get
        refused = await method("/api/connections/poster" + path)
        assert (refused.status_code, refused.json()["field"]) == (status, field), path
    other = await create_tenant(world.hub.uows, name="Another cafe")
    headers = {"Authorization": f"Bearer {other.api_key}"}
    theirs = await world.api.get("/api/connections/poster/records/storages/1", headers=headers)
    assert theirs.status_code == 404
    listed = await world.api.get("/api/connections/poster/records/storages", headers=headers)
    assert (listed.status_code, listed.json()["total"]) == (200, 0)
    refused = await world.api.post("/api/connections/poster/records/storages/sync", headers=headers)
    assert (refused.status_code, refused.json()["field"]) == (404, "provider")


async def test_connecting_through_poster_consent_remembers_the_account(world: PosterWorld) -> None:
    query = await world.consent()
    assert query["account"] == LOGIN
    forged = await world.callback({**query, "state": query["state"] + "x"})
    assert (forged.status_code, forged.json()["field"]) == (400, "state")
    answer = await world.callback(query)
    assert answer.status_code == 200, answer.text
    connection = await _connection(world)
    keys = world.hub.services.vault.open_json(connection.credentials)
    assert (keys["account"], keys["account_number"]) == (LOGIN, world.account.account_number)
    assert keys["access_token"].startswith(world.account.account_number + ":")
    assert connection.settings["merchant_id"] == LOGIN
    assert connection.token_expires_at is not None
    assert connection.token_expires_at - dt.datetime.now(dt.UTC) > TWO_YEARS - dt.timedelta(days=1)
    exchanges = [
        c.status for c in world.poster.calls_since() if c.path == "/api/v2/auth/access_token"
    ]
    assert exchanges == [200]
    reused = await world.callback(query)  # a state is good once
    assert (reused.status_code, reused.json()["field"]) == (400, "state")
    async with world.hub.uows.read() as session:
        runs = list(await session.scalars(select(Run)))
    assert runs == []  # nothing synced before it is asked for


async def test_a_listing_read_before_a_webhook_fetch_never_puts_older_data_back(
    world: PosterWorld,
) -> None:
    assert (await world.connect_token()).status_code == 200
    await _sync(world, "storages")
    connection = await _connection(world)
    kept = await world.stored("storages")
    listed_at = max(record.synced_at for record in kept.values()) + dt.timedelta(seconds=1)
    fetched_at = listed_at + dt.timedelta(seconds=1)
    renamed = RemoteRecord("1", "Terrace bar", {"storage_id": "1", "storage_name": "Terrace bar"})
    async with world.hub.uows.begin() as uow:  # a hook's fetch, read after the listing began
        await upsert_records(
            uow, connection, "storages", [renamed], complete=False, read_at=fetched_at
        )
        await uow.commit()
    older = RemoteRecord("1", kept["1"].name, dict(kept["1"].data))
    others = [
        RemoteRecord(r.external_id, r.name, dict(r.data)) for k, r in kept.items() if k != "1"
    ]
    for listing in ([older, *others], others):  # listings landing afterwards, with or without it
        async with world.hub.uows.begin() as uow:
            counts = await upsert_records(
                uow, connection, "storages", listing, complete=True, read_at=listed_at
            )
            await uow.commit()
        stored = await world.stored("storages")
        assert (stored["1"].name, stored["1"].deleted_at) == ("Terrace bar", None)
        assert (counts.updated, counts.removed) == (0, 0)
    async with world.hub.uows.begin() as uow:  # a listing read after the fetch wins
        await upsert_records(
            uow, connection, "storages", [older], complete=True, read_at=fetched_at
        )
        await uow.commit()
    assert (await world.stored("storages"))["1"].name == kept["1"].name
