"""`tillsync keys rotate`: every secret resealed with the first key while the hub serves."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from tests.conftest import TEST_KEY
from tests.support.processes import environment
from tests.support.world import eventually, sales_with_external_id
from tillsync.api.app import create_app
from tillsync.bootstrap import Hub, open_hub
from tillsync.cli import app as cli
from tillsync.config import Settings
from tillsync.emulators.cin7 import Cin7State, create_cin7_emulator
from tillsync.emulators.cin7.commands import ProductSeed
from tillsync.emulators.cin7.state import Credentials
from tillsync.services.connections.registrations import webhook_secret
from tillsync.services.rotation import Rotation, _rotate_batch
from tillsync.services.tenants import create_tenant
from tillsync.serving import free_port, serve
from tillsync.store.tables import Connection, InboxEntry
from tillsync.vault import Vault, decode_key, generate_key

pytestmark = pytest.mark.long(10)

NEW_KEY = generate_key()
TENANTS = 7
SKU = "TOMB45SHAVECBLCK"


@dataclass
class Rig:
    """A CIN7 emulator with one account per tenant, and hubs served one after another."""

    settings: Settings
    cin7: Cin7State
    cin7_url: str
    port: int

    @asynccontextmanager
    async def hub(self, keys: list[str]) -> AsyncIterator[tuple[Hub, str]]:
        """A hub with these keys, always at the same address (CIN7's webhooks point there)."""
        url = f"http://127.0.0.1:{self.port}"
        configured = self.settings.model_copy(
            update={
                "secret_keys": keys,
                "public_url": url,
                "provider_urls": {"cin7": self.cin7_url},
            }
        )
        app = create_app(configured)
        async with serve(app, port=self.port):
            yield app.state.hub, url


@pytest.fixture
async def rig(settings: Settings) -> AsyncIterator[Rig]:
    state = Cin7State()
    state.update_settings(rate_limit=None)
    async with serve(create_cin7_emulator(state)) as emulator:
        yield Rig(settings, state, f"{emulator}/ExternalApi/v2", free_port())


async def _connect_tenants(rig: Rig, hub: Hub, url: str) -> list[tuple[str, Credentials]]:
    """Tenants with their API keys, each connected to its own CIN7 account by PUT."""
    tenants = []
    for number in range(TENANTS):
        account = rig.cin7.create_account(company=f"Warehouse {number}")
        rig.cin7.seed_products(
            account.account_id,
            [ProductSeed(sku=SKU, name="Tomb45", stock={"Main Warehouse": Decimal(20)})],
        )
        created = await create_tenant(hub.uows, name=f"Shop {number}")
        async with httpx.AsyncClient(base_url=url, headers=_bearer(created.api_key)) as pos:
            answer = await pos.put(
                "/api/cin7/credentials",
                json={"accountId": account.account_id, "apiKey": account.application_key},
            )
            assert answer.status_code == 200, answer.text
        tenants.append((created.api_key, account))
    await hub.create_worker().run_until_idle()  # first syncs
    return tenants


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def _sealed(hub: Hub) -> dict[str, str]:
    async with hub.uows.read() as session:
        rows = await session.execute(select(Connection.id, Connection.credentials))
        return {str(row_id): str(sealed) for row_id, sealed in rows}


async def _rotate(settings: Settings, keys: list[str]) -> tuple[int, str]:
    """`tillsync keys rotate` as an operator runs it: its own process, beside the hub."""
    env = environment(settings.model_copy(update={"secret_keys": keys}), COLUMNS="200")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tillsync",
        "keys",
        "rotate",
        "--batch",
        "3",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    assert process.returncode is not None
    return process.returncode, output.decode()


async def test_rotation_while_the_hub_serves_and_every_connection_works_with_the_new_key_alone(
    rig: Rig,
) -> None:
    async with rig.hub([TEST_KEY]) as (hub, url):
        tenants = await _connect_tenants(rig, hub, url)
        before = await _sealed(hub)

    # The hub is redeployed knowing the new key first; the operator rotates while it serves.
    async with rig.hub([NEW_KEY, TEST_KEY]) as (hub, url):
        connection_ids = sorted(before)
        secrets = {}
        for connection_id in connection_ids:
            async with hub.uows.read() as session:
                connection = await session.get(Connection, connection_id)
                assert connection is not None
                secrets[connection_id] = webhook_secret(hub.services, connection)
        done = asyncio.Event()
        answers: list[int] = []

        async def read_while_rotating() -> None:
            async with httpx.AsyncClient(base_url=url, timeout=30) as client:
                while not done.is_set() or not answers:
                    for api_key, _ in tenants:
                        shown = await client.get("/api/cin7/credentials", headers=_bearer(api_key))
                        answers.append(shown.status_code)
                    for connection_id, secret in secrets.items():
                        delivery = await client.post(
                            f"/api/cin7/webhook?connection={connection_id}",
                            json=[],
                            headers=_bearer(secret),
                        )
                        answers.append(delivery.status_code)

        reader = asyncio.create_task(read_while_rotating())
        code, output = await _rotate(rig.settings, [NEW_KEY, TEST_KEY])
        done.set()
        await reader
        assert code == 0, output
        assert f"{TENANTS} secret(s) re-encrypted" in output
        assert set(answers) <= {200, 202}, answers

    new_only = Vault([decode_key(NEW_KEY)])
    async with rig.hub([NEW_KEY]) as (hub, url):  # the old key is gone from the settings
        after = await _sealed(hub)
        assert set(after) == set(before)
        for connection_id, sealed in after.items():
            assert sealed != before[connection_id]
            assert not new_only.needs_rotation(sealed)
        for api_key, account in tenants:
            async with httpx.AsyncClient(base_url=url, headers=_bearer(api_key)) as pos:
                shown = (await pos.get("/api/cin7/credentials")).json()
                assert (
                    shown["apiKey"]
                    == f"{account.application_key[:8]}...{account.application_key[-4:]}"
                )
        # Real calls through the hub: a sale pushed to CIN7, and CIN7's webhook accepted.
        api_key, account = tenants[0]
        async with httpx.AsyncClient(base_url=url, headers=_bearer(api_key)) as pos:
            sale = {
                "action": "RECORD_SALE",
                "saleId": "POS-ROTATED",
                "items": [{"sku": SKU, "quantity": 1, "price": 29.99}],
            }
            assert (await pos.post("/api/cin7/sale-sync", json=sale)).status_code == 200
        await hub.create_worker().run_until_idle()
        inbox_before = await _inbox(hub)
        async with httpx.AsyncClient(
            base_url=rig.cin7_url,
            headers={
                "api-auth-accountid": account.account_id,
                "api-auth-applicationkey": account.application_key,
            },
        ) as warehouse:
            assert await sales_with_external_id(warehouse, "POS-ROTATED")
            adjusted = await warehouse.post(
                "/stockadjustment",
                json={
                    "EffectiveDate": "2026-11-21T10:00:00",
                    "Status": "COMPLETED",
                    "Lines": [
                        {"SKU": SKU, "Quantity": 3, "UnitCost": 5, "Location": "Main Warehouse"}
                    ],
                },
            )
            assert adjusted.status_code == 200, adjusted.text

        async def delivered() -> bool:
            return await _inbox(hub) > inbox_before

        await eventually(delivered, within=5.0)


async def _inbox(hub: Hub) -> int:
    async with hub.uows.read() as session:
        return len(list(await session.scalars(select(InboxEntry.id))))


async def test_values_no_key_opens_are_named_and_the_command_fails(
    settings: Settings, hub: Hub
) -> None:
    lost_key = generate_key()
    tenant = await create_tenant(hub.uows, name="Shop")
    other = await create_tenant(hub.uows, name="Other")
    lost = Vault([decode_key(lost_key)]).seal_json({"account_id": "a", "application_key": "k"})
    kept = hub.services.vault.seal_json({"account_id": "b", "application_key": "k2"})
    async with hub.uows.begin() as uow:
        for tenant_id, sealed in ((tenant.tenant_id, lost), (other.tenant_id, kept)):
            uow.session.add(
                Connection(
                    tenant_id=tenant_id,
                    provider="cin7",
                    role="warehouse",
                    base_url="http://127.0.0.1:9",
                    credentials=sealed,
                    created_at=uow.now,
                    updated_at=uow.now,
                )
            )
        await uow.commit()
    code, output = await _rotate(settings, [NEW_KEY, TEST_KEY])
    assert code == 1, output
    assert "1 secret(s) re-encrypted" in output
    assert "no key opens it" in output
    async with hub.uows.read() as session:
        lost_id = await session.scalar(
            select(Connection.id).where(Connection.tenant_id == tenant.tenant_id)
        )
    assert f"connections {lost_id}" in output


async def test_a_value_replaced_during_rotation_is_left_as_replaced(hub: Hub) -> None:
    tenant = await create_tenant(hub.uows, name="Shop")
    old = hub.services.vault.seal_json({"account_id": "a", "application_key": "first"})
    async with hub.uows.begin() as uow:
        connection = Connection(
            tenant_id=tenant.tenant_id,
            provider="cin7",
            role="warehouse",
            base_url="http://127.0.0.1:9",
            credentials=old,
            created_at=uow.now,
            updated_at=uow.now,
        )
        uow.session.add(connection)
        await uow.commit()
    rotated = Vault([decode_key(NEW_KEY), decode_key(TEST_KEY)])
    replaced = rotated.seal_json({"account_id": "a", "application_key": "second"})
    rows = [(connection.id, old)]  # read by the rotation before a PUT replaced the value
    async with hub.uows.begin() as uow:
        await uow.session.execute(
            update(Connection).where(Connection.id == connection.id).values(credentials=replaced)
        )
        await uow.commit()
    result = Rotation()
    await _rotate_batch(
        hub.uows, rotated, model=Connection, name="credentials", rows=rows, result=result
    )
    assert (result.rewritten, result.changed_meanwhile) == (0, 1)
    assert not result.complete
    stored = (await _sealed(hub))[connection.id]
    assert rotated.open_json(stored)["application_key"] == "second"


def test_rotate_needs_the_keys_named(cli_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TILLSYNC_SECRET_KEYS")
    result = CliRunner().invoke(cli, ["keys", "rotate"])
    assert result.exit_code == 2
    assert "TILLSYNC_SECRET_KEYS" in result.output


@pytest.mark.parametrize("command", [["serve"], ["worker"], ["keys", "rotate"]])
def test_production_refuses_to_start_without_a_key_and_touches_nothing(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.delenv("TILLSYNC_SECRET_KEYS")
    monkeypatch.setenv("TILLSYNC_ENVIRONMENT", "production")
    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 2
    assert "TILLSYNC_SECRET_KEYS is required in production" in result.output
    assert not (cli_env / "cli.db").exists()


async def test_a_production_hub_without_a_key_does_not_open(tmp_path: Path) -> None:
    from tillsync.errors import ConfigurationError

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        environment="production",
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'prod.db'}",
    )
    with pytest.raises(ConfigurationError, match="TILLSYNC_SECRET_KEYS"):
        async with open_hub(settings):
            pass
    assert not (tmp_path / "prod.db").exists()


async def test_development_makes_a_private_key_and_says_so_loudly(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'dev.db'}",
    )
    async with open_hub(settings) as opened:
        sealed = opened.services.vault.seal("x")
    key_file = tmp_path / "secret.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert any(
        r.levelname == "WARNING" and "DEVELOPMENT KEY IN USE" in r.getMessage()
        for r in caplog.records
    )
    assert Vault([decode_key(key_file.read_text())]).open(sealed) == "x"
