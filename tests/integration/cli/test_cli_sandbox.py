"""The command line beside a running sandbox: every command reads the sandbox's own database.

One `tillsync sandbox` process per database (its own SQLite file, or a PostgreSQL database of
its own), started in `.tillsync-sandbox` of a working folder as `make demo` would; then the
commands run as their own processes in that folder, as a user types them.
"""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support import databases
from tests.support.sandbox import sandbox_environment, wait_for_manifest
from tillsync.providers import default_providers
from tillsync.serving import free_port

pytestmark = pytest.mark.long(40)
STATE = ".tillsync-sandbox"
WAREHOUSE = default_providers().with_role("warehouse")[0].name
KEY_TRUST_SECONDS = 1
"""The sandbox trusts a checked key this long (production: 10 s): refusals come sooner."""
KEY_FORGOTTEN_SECONDS = 60


@dataclass(frozen=True)
class Running:
    folder: Path
    manifest: dict[str, Any]
    env: dict[str, str]

    def run(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 (our own command, its arguments from the test)
            [sys.executable, "-m", "tillsync", *args],
            cwd=self.folder,
            env=self.env | env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def status_with(self, key: str) -> int:
        answer = httpx.get(
            f"{self.manifest['hub_url']}/api/alerts",
            headers={"Authorization": f"Bearer {key}"},
            timeout=30,
        )
        return answer.status_code


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def sandbox(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Running]:
    folder = tmp_path_factory.mktemp("shop")
    database_url = None
    if request.param == "postgresql":
        database_url = asyncio.run(databases.create_postgres_database(migrated=False))
    env = sandbox_environment(database_url, TILLSYNC_KEY_TRUST_SECONDS=str(KEY_TRUST_SECONDS))
    log = (folder / "sandbox.log").open("wb")
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "tillsync", "sandbox", "--port", str(free_port())],
        cwd=folder,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        manifest = wait_for_manifest(folder / STATE, exited=process.poll)
        commands_env = {k: v for k, v in env.items() if k != "TILLSYNC_DATABASE_URL"}
        yield Running(folder, manifest, commands_env)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        finally:
            process.kill()
            log.close()
            if database_url is not None:
                asyncio.run(databases.drop_postgres_database(database_url))


def _jobs_list_reads_the_sandbox_and_says_which_database(sandbox: Running) -> None:
    listed = sandbox.run("jobs", "list", "--state-dir", STATE, "--json")

    assert listed.returncode == 0, listed.stderr
    jobs = json.loads(listed.stdout)  # nothing but the JSON on stdout
    [catalog] = [job for job in jobs if job["kind"] == f"{WAREHOUSE}.sync_catalog"]
    assert catalog["state"] == "success"  # the sandbox's first pull, in its own database
    businesses = {business["tenant_id"] for business in sandbox.manifest["businesses"]}
    assert {job["tenant_id"] for job in jobs} - {None} == businesses
    assert f"(the sandbox in {STATE})" in listed.stderr
    if "sqlite" in sandbox.manifest["database_url"]:
        assert sandbox.manifest["database_url"].removeprefix("sqlite:///") in listed.stderr
    else:
        assert "postgresql://" in listed.stderr
    by_variable = sandbox.run("jobs", "list", "--json", TILLSYNC_STATE_DIR=STATE)
    assert by_variable.returncode == 0, by_variable.stderr
    assert catalog["id"] in {job["id"] for job in json.loads(by_variable.stdout)}


def _a_command_beside_the_sandbox_but_not_pointed_at_it_makes_no_database(sandbox: Running) -> None:
    listed = sandbox.run("jobs", "list")

    assert listed.returncode == 2
    assert "No tillsync database at sqlite:///.tillsync/tillsync.db" in listed.stderr
    assert f"add --state-dir {STATE}" in listed.stderr
    assert listed.stdout == ""
    assert not (sandbox.folder / ".tillsync").exists()


def _sync_asks_the_sandbox_hub_for_a_pull_and_follows_it(sandbox: Running) -> None:
    pulled = sandbox.run("sync", WAREHOUSE, "--full", "--state-dir", STATE)

    assert pulled.returncode == 0, pulled.stdout + pulled.stderr
    assert ": success," in pulled.stdout
    assert " 0 failed" in pulled.stdout
    assert not (sandbox.folder / ".tillsync").exists()  # the sandbox's key, not a new one


def _tenant_list_shows_the_demo_businesses_and_counts_their_keys_without_showing_them(
    sandbox: Running,
) -> None:
    listed = sandbox.run("tenant", "list", "--state-dir", STATE, "--json")

    assert listed.returncode == 0, listed.stderr
    tenants = {tenant["id"]: tenant for tenant in json.loads(listed.stdout)}
    businesses = sandbox.manifest["businesses"]
    assert set(tenants) == {business["tenant_id"] for business in businesses}
    assert businesses[0]["tenant_id"] == sandbox.manifest["tenant_id"]
    # The barbershop: every provider but Dine and Zoho, which are the cafe's, and Poster,
    # the restaurant's.
    offered = {p.name for p in default_providers()} - {"dine", "zoho", "poster"}
    expected = (offered, {"dine", "zoho"}, {"poster"})
    for business, providers in zip(businesses, expected, strict=True):
        tenant = tenants[business["tenant_id"]]
        assert tenant["name"] == business["name"]
        assert tenant["active_keys"] == 1
        assert sorted(tenant["connections"]) == sorted(f"{name} (active)" for name in providers)
    table = sandbox.run("tenant", "list", "--state-dir", STATE)
    for shown in (listed, table):
        for business in businesses:
            assert business["api_key"][:8] not in shown.stdout + shown.stderr


def _eventually_refused(sandbox: Running, key: str) -> None:
    """A hub trusts a key it checked for a few seconds: the refusal comes within them."""
    deadline = time.monotonic() + KEY_FORGOTTEN_SECONDS
    while sandbox.status_with(key) != 401:
        assert time.monotonic() < deadline, "the key still works"
        time.sleep(0.5)


def _a_rotated_key_replaces_the_old_one_and_a_revoked_key_is_refused(sandbox: Running) -> None:
    old = sandbox.manifest["api_key"]
    assert sandbox.status_with(old) == 200
    tenant = sandbox.manifest["tenant_id"][:8]

    rotated = sandbox.run("tenant", "rotate-key", tenant, "--state-dir", STATE)

    assert rotated.returncode == 0, rotated.stderr
    new = next(line.split()[-1] for line in rotated.stdout.splitlines() if "api key" in line)
    assert new.startswith("tsk_")
    assert new != old
    assert "1 key(s) revoked" in rotated.stdout
    assert f"within {KEY_TRUST_SECONDS} seconds" in rotated.stdout
    _eventually_refused(sandbox, old)
    assert sandbox.status_with(new) == 200
    assert _active_keys(sandbox) == 1
    assert new not in sandbox.run("tenant", "list", "--state-dir", STATE).stdout

    revoked = sandbox.run("tenant", "revoke-key", tenant, "--state-dir", STATE)

    assert revoked.returncode == 0, revoked.stderr
    assert "1 key(s) revoked" in revoked.stdout
    assert "tsk_" not in revoked.stdout
    _eventually_refused(sandbox, new)
    assert _active_keys(sandbox) == 0


def _active_keys(sandbox: Running) -> int:
    """The barbershop's active keys, as `tenant list` counts them."""
    listed = json.loads(sandbox.run("tenant", "list", "--state-dir", STATE, "--json").stdout)
    [barbershop] = [t for t in listed if t["id"] == sandbox.manifest["tenant_id"]]
    count: int = barbershop["active_keys"]
    return count


def test_the_commands_read_and_change_the_sandbox_database(sandbox: Running) -> None:
    """The checks in turn, on one sandbox per database: started once, not once on every test
    worker that a check lands on. The job list is read before the pull adds to it; the key
    is rotated last."""
    _jobs_list_reads_the_sandbox_and_says_which_database(sandbox)
    _a_command_beside_the_sandbox_but_not_pointed_at_it_makes_no_database(sandbox)
    _sync_asks_the_sandbox_hub_for_a_pull_and_follows_it(sandbox)
    _tenant_list_shows_the_demo_businesses_and_counts_their_keys_without_showing_them(sandbox)
    _a_rotated_key_replaces_the_old_one_and_a_revoked_key_is_refused(sandbox)
