"""No credential in plain text: not in the database's raw files or tables, not in a log line.

Every credential flow runs here end to end (CIN7 refusing, bad input, connecting, a sync, a
sale pushed, CIN7's webhooks delivered and applied, a key replaced, a removal CIN7 fails,
reconnecting, `tillsync keys rotate` in its own process); then the SQLite files' bytes or
every PostgreSQL row as text are scanned, with every log record the flows created.
(tests/conftest.py checks every other test's log lines the same way.)
"""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

import asyncpg
import pytest

from tests.integration.connect.conftest import SKU, Shop
from tests.support.processes import environment
from tests.support.secrets import LogCapture, leaks, leaks_in_bytes, remember, stored_secrets
from tests.support.world import eventually
from tillsync.config import Settings
from tillsync.emulators.cin7.faults import FaultRule
from tillsync.store.tables import Base, InboxEntry
from tillsync.vault import generate_key

pytestmark = pytest.mark.long(11)


async def _table_dumps(database_url: str) -> list[bytes]:
    connection = await asyncpg.connect(database_url)
    try:
        return [
            "\n".join(
                row[0]
                for row in await connection.fetch(f'SELECT t::text FROM "{table.name}" t')  # noqa: S608
            ).encode()
            for table in Base.metadata.sorted_tables
        ]
    finally:
        await connection.close()


def _files(settings: Settings) -> list[bytes]:
    database = Path(settings.database_url.removeprefix("sqlite:///"))
    return [path.read_bytes() for path in database.parent.glob(f"{database.name}*")]


async def test_no_credential_in_plain_text_in_the_database_or_the_logs(
    shop: Shop, settings: Settings, log_capture: LogCapture
) -> None:
    logging.getLogger().setLevel(logging.DEBUG)  # DEBUG lines count too, here
    tenant_key = shop.pos.headers["Authorization"].removeprefix("Bearer ")
    seen: set[str] = {shop.account.application_key, tenant_key}
    refused = "9d6e1c2a-3b4f-4a5e-8c7d-6f5e4d3c2b1a"
    too_long = "L" * 201
    remember(refused, too_long)
    seen |= {refused, too_long}
    assert (await shop.put(shop.account.account_id, refused)).status_code == 400
    assert (await shop.put(shop.account.account_id, too_long)).status_code == 400

    await shop.connect()
    seen.add(await shop.webhook_secret())
    await shop.run_jobs()  # the first sync
    sale = {
        "action": "RECORD_SALE",
        "saleId": "POS-1",
        "items": [{"sku": SKU, "quantity": 1, "price": 29.99}],
    }
    assert (await shop.pos.post("/api/cin7/sale-sync", json=sale)).status_code == 200
    await shop.run_jobs()  # pushed to CIN7
    async with shop.cin7_client() as cin7:
        adjusted = await cin7.post(
            "/stockadjustment",
            json={
                "EffectiveDate": "2026-11-21T10:00:00",
                "Status": "COMPLETED",
                "Lines": [{"SKU": SKU, "Quantity": 9, "UnitCost": 5, "Location": "Main Warehouse"}],
            },
        )
        assert adjusted.status_code == 200

    await eventually(lambda: shop.count(InboxEntry), within=5.0)
    await shop.run_jobs()  # the webhook applied

    second = shop.cin7.add_application_key(shop.account.account_id)
    seen.add(second.application_key)
    assert (await shop.put(second.account_id, second.application_key)).status_code == 200
    seen.add(await shop.webhook_secret())
    shop.cin7.faults.add_rule(
        FaultRule(method="DELETE", path="/webhooks", action="fail_before", status=500, times=1)
    )
    assert (await shop.pos.delete("/api/cin7/credentials")).status_code == 200
    await shop.connect()
    last_secret = await shop.webhook_secret()
    seen.add(last_secret)
    for answer in [
        await shop.pos.get("/api/cin7/credentials"),
        await shop.pos.get("/api/cin7/health"),
    ]:
        assert not leaks([answer.text], seen), answer.text

    new_key = generate_key()
    remember(new_key)
    seen |= {settings.secret_keys[0], new_key}
    env = environment(settings.model_copy(update={"secret_keys": [new_key, *settings.secret_keys]}))
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tillsync",
        "keys",
        "rotate",
        env=env | {"TILLSYNC_LOG_LEVEL": "DEBUG"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    assert process.returncode == 0, output.decode()

    # Only the new key opens what is stored now, and what it opens is what was scanned for.
    assert await stored_secrets(settings.database_url, [new_key]) == {
        shop.account.application_key,
        last_secret,
    }
    stored = _files(settings) if settings.database_url.startswith("sqlite") else []
    if not stored:
        stored = await _table_dumps(settings.database_url)
    assert stored
    assert leaks_in_bytes(stored, seen) == []
    assert leaks([*log_capture.lines(), output.decode()], seen) == []


def test_the_scan_finds_a_planted_credential(log_capture: LogCapture) -> None:
    secret = generate_key()
    capture = LogCapture()
    capture.install()
    try:
        log = logging.getLogger("tillsync.test")
        log.warning("calling with %s", secret)
        log.warning("in an extra", extra={"detail": {"token": secret}})
        try:
            raise ValueError(f"bad header {secret}")
        except ValueError:
            log.exception("failed")
        log.warning("a tenant key tsk_" + "A" * 43)
    finally:
        capture.uninstall()
        log_capture.clear()  # planted on purpose: not a leak of the suite
    found = leaks(capture.lines(), [secret])
    assert len(found) == 4
    assert all(secret not in line for line in found)
    assert leaks_in_bytes([b"..." + secret.encode() + b"..."], [secret])
    assert not leaks_in_bytes([b"v1.abcd." + secret.encode()[::-1]], [secret])


@pytest.fixture(autouse=True)
def _root_level_back() -> object:
    level = logging.getLogger().level
    yield None
    logging.getLogger().setLevel(level)
