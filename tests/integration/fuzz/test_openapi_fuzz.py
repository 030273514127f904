"""Schemathesis fuzzes every operation of /openapi.json against a live hub, on both databases.

The hub is served on loopback with a tenant connected to the CIN7 emulator, holding stock,
a sale, a notification and a queued reconciliation, so the operations reach their answers
and not only their refusals. Checks: no server error, status codes and bodies as documented.
A fixed seed and a per-operation budget keep the run the same each time and within a minute.

The budget of random cases (the fuzzing phase) is where the time goes, so it is spent where
it finds something:
- An operation with nothing to vary but the key (no body, every parameter one of the test's
  known ids) gets `FEW` random cases: more would repeat the same few requests (with the
  key, without it, with a stray header).
- On PostgreSQL the fuzzing phase gets `FEW` cases per operation, SQLite keeps `EXAMPLES`.
  Both databases run the coverage phase in full, and that is where a database can answer
  differently: it sends, for every field, the values at and just past each limit the
  document sets (a text one character too long, a number past its range, a NUL where the
  document forbids it), the inputs PostgreSQL refuses and SQLite keeps. Random cases
  mostly re-test the same validators, which do not depend on the database.
"""

import asyncio
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tests.integration.fuzz.hooks import WEBHOOK_SECRET
from tests.support.world import World, failed_push_notice, open_world
from tillsync.config import Settings
from tillsync.services.connections.registrations import webhook_secret
from tillsync.store.tables import Connection

SEED = 20_261_129
EXAMPLES = 30
"""Random cases per operation on SQLite."""
FEW = 10
"""Random cases per operation without inputs, and per operation on PostgreSQL."""
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)
HOOKS = Path(__file__).with_name("hooks.py")
SALE_ID = "FUZZ-SALE-1"
FIXED = {
    "path.business_id": "business_id",
    "path.sale_id": "sale_id",
    "path.notification_id": "notification_id",
    "path.run_id": "run_id",
    "path.report_id": "run_id",
    "query.connection": "connection",
}
"""Parameters the test gives a real id (from `_known_ids`) rather than fuzzing them."""


@pytest.fixture
async def world(settings: Settings) -> Any:
    settings.allow_private_addresses = False  # fuzzed CRM addresses must not be called
    async with open_world(settings, stock=1000) as opened:
        yield opened


@pytest.mark.long(40)
@pytest.mark.timeout(300)  # about 30 s alone; more beside other tests on two cores
async def test_every_operation_holds_to_the_document(
    world: World, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    known = await _known_ids(world)
    async with httpx.AsyncClient(base_url=world.hub.url) as client:
        document = (await client.get("/openapi.json")).json()
    without_inputs = _without_inputs(document)
    assert "GET /healthz" in without_inputs
    assert "POST /api/sales" not in without_inputs  # a body
    assert "GET /api/catalog" not in without_inputs  # query parameters of its own
    postgres = world.settings.database_url.startswith("postgresql")
    config = tmp_path / "schemathesis.toml"
    config.write_text(
        _config(
            known,
            report=tmp_path / "report.json",
            examples=FEW if postgres else EXAMPLES,
            few=without_inputs,
        )
    )
    out = tmp_path / "schemathesis.out"
    with out.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            str(Path(sys.executable).with_name("schemathesis")),
            "--config-file",
            str(config),
            "run",
            f"{world.hub.url}/openapi.json",
            "--checks",
            ",".join(CHECKS),
            "--no-color",
            stdout=output,
            stderr=asyncio.subprocess.STDOUT,
            env=os.environ
            | {
                WEBHOOK_SECRET: known["webhook_secret"],
                # Hypothesis's Unicode tables, worked out once for the run, not once a test.
                "HYPOTHESIS_STORAGE_DIRECTORY": str(tmp_path_factory.getbasetemp() / "hypothesis"),
            },
            cwd=tmp_path,  # where schemathesis keeps its cache
        )
        async with asyncio.timeout(240):
            await process.wait()
    report = json.loads((tmp_path / "report.json").read_text())
    _log_figures(report, backend=world.settings.database_url.split(":")[0])
    printed = out.read_text()[-6000:]
    assert report["failures"] == [], printed
    assert report["errors"] == [], printed
    assert report["test_cases"]["with_failures"] == 0, printed
    operations = report["operations"]
    assert operations["tested"] == operations["total"], printed
    assert process.returncode == 0, printed


async def _known_ids(world: World) -> dict[str, str]:
    """Ids the fuzzed operations can find: the tenant's own, a sale, a notice, a pull run."""
    await world.sell(SALE_ID, quantity=1)
    reconcile = await world.pos.post("/api/cin7/reconcile")
    assert reconcile.status_code == 202, reconcile.text
    notice_id = await failed_push_notice(world, dedupe_key="fuzz")
    async with world.hub.hub.uows.read() as session:
        connection = await session.scalar(
            select(Connection).where(Connection.tenant_id == world.tenant_id)
        )
    assert connection is not None
    return {
        "key": world.pos.headers["Authorization"].removeprefix("Bearer "),
        "business_id": world.tenant_id,
        "sale_id": SALE_ID,
        "notification_id": notice_id,
        "run_id": reconcile.json()["runId"],
        "connection": connection.id,
        "webhook_secret": webhook_secret(world.hub.hub.services, connection),
    }


def _without_inputs(document: dict[str, Any]) -> list[str]:
    """Operations ("METHOD /path") with no body and no parameter but the test's known ids."""
    return [
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if "requestBody" not in operation
        and all(f"{p['in']}.{p['name']}" in FIXED for p in operation.get("parameters", []))
    ]


def _config(known: dict[str, str], *, report: Path, examples: int, few: list[str]) -> str:
    """schemathesis.toml: seed, budgets, the tenant's key, real ids (the hooks add the secret)."""
    q = json.dumps
    fixed = "\n".join(f"{q(name)} = {q(known[key])}" for name, key in FIXED.items())
    return f"""
seed = {SEED}
workers = 1
request-timeout = 10
hooks = {q(str(HOOKS))}
max-stream-events = 1
warnings = false

[generation]
max-examples = {examples}
database = "none"

[phases.stateful]
enabled = false

[reports.json]
enabled = true
path = {q(str(report))}

[reports.har]
enabled = true
path = {q(str(report) + ".har")}

[auth.openapi.tenantKey]
bearer = {q(known["key"])}

[parameters]
{fixed}

[[operations]]
include-path = "/api/events"
request-timeout = 1

[[operations]]
include-name = {q(few)}
generation = {{ max-examples = {min(FEW, examples)} }}
"""


def _log_figures(report: dict[str, Any], *, backend: str) -> None:
    cases = report["test_cases"]
    logging.getLogger(__name__).info(
        "fuzzing on %s: %s operations, %s cases, %s with failures, %.1f s",
        backend,
        report["operations"]["tested"],
        cases["generated"],
        cases["with_failures"],
        report["running_time"],
    )
