"""The settings page: each connection's sync interval and retry schedule, and the notification
e-mail, saved whole or not at all, with every refused field named beside its input."""

import html
import re
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tests.support.dashboard import HTML, Visitor
from tests.support.hubs import RunningHub, TenantClient
from tillsync.connectors.contract import Provider
from tillsync.domain.retry import RetryPolicy
from tillsync.services.health import policy_from_settings
from tillsync.services.notices import notification_email
from tillsync.store.tables import Connection

SECRET = "application-key-never-shown-0123456789"


def _warehouse(served: RunningHub) -> Provider:
    return next(p for p in served.hub.services.providers if "warehouse" in p.roles)


async def _connect(
    served: RunningHub, tenant_id: str, provider: Provider, settings: dict[str, Any]
) -> None:
    """A connection as connecting stores it, without asking the provider."""
    async with served.hub.uows.begin() as uow:
        uow.session.add(
            Connection(
                tenant_id=tenant_id,
                provider=provider.name,
                role=sorted(provider.roles)[0],
                base_url="http://127.0.0.1:1",
                account_name="Fade Factory Pty",
                credentials=served.hub.services.vault.seal_json(
                    {c.name: SECRET for c in provider.credentials}
                ),
                settings=settings,
                created_at=uow.now,
                updated_at=uow.now,
            )
        )
        await uow.commit()


async def _stored(served: RunningHub, tenant_id: str, provider: Provider) -> Connection:
    async with served.hub.uows.read() as session:
        found = await session.scalar(
            select(Connection).where(
                Connection.tenant_id == tenant_id, Connection.provider == provider.name
            )
        )
    assert found is not None
    return found


@pytest.fixture
async def warehouse(served: RunningHub, shop: TenantClient) -> Provider:
    provider = _warehouse(served)
    await _connect(
        served, shop.tenant_id, provider, {"retry_interval_seconds": 5, "location": "Back Room"}
    )
    return provider


async def _save(
    visitor: Visitor, provider: Provider, values: dict[str, str], *, token: str | None = ""
) -> httpx.Response:
    if token == "":
        token = await visitor.csrf("/settings")
    data = values | ({"csrf_token": token} if token is not None else {})
    return await visitor.http.post(
        f"/settings/connections/{provider.name}", data=data, headers=HTML
    )


def _input(text: str, provider: Provider, name: str) -> str:
    found = re.search(rf'id="{provider.name}-{name}" name="{name}"[^>]*value="([^"]*)"', text)
    assert found is not None, f"no input {name}"
    return found.group(1)


def _problems(text: str) -> dict[str, str]:
    return {
        field: html.unescape(problem)
        for field, problem in re.findall(r'data-field="([^"]+)">([^<]+)</p>', text)
    }


async def test_each_provider_is_listed_with_its_schedule_and_never_its_keys(
    served: RunningHub, shop: TenantClient, visitor: Visitor, warehouse: Provider
) -> None:
    await visitor.sign_in(shop.api_key)
    page = await visitor.page("/settings")
    assert page.status_code == 200
    text = html.unescape(page.text)
    for provider in served.hub.services.providers:
        assert f'data-provider="{provider.name}"' in text
    assert _input(text, warehouse, "retry_interval_seconds") == "5"
    assert _input(text, warehouse, "sync_interval_minutes") == ""  # its default, shown beside
    assert 'placeholder="15 (default)"' in text
    assert 'placeholder="12 (default)"' in text
    assert "retried every 5 s, up to 12 times (over 1 min)" in text
    others = [p for p in served.hub.services.providers if p != warehouse]
    for provider in others:
        card = text.split(f'id="connection-{provider.name}"', 1)[1].split("</article>", 1)[0]
        assert "Not connected" in card
    assert SECRET not in text
    assert SECRET[:8] not in text


async def test_a_connections_settings_are_saved_and_its_keys_kept(
    served: RunningHub, shop: TenantClient, visitor: Visitor, warehouse: Provider
) -> None:
    await visitor.sign_in(shop.api_key)
    before = await _stored(served, shop.tenant_id, warehouse)
    saved = await _save(
        visitor,
        warehouse,
        {"sync_interval_minutes": " 30 ", "retry_interval_seconds": "60", "max_retries": "3"},
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == (
        f"/settings?saved={warehouse.name}#connection-{warehouse.name}"
    )

    after = await _stored(served, shop.tenant_id, warehouse)
    names = ("sync_interval_minutes", "retry_interval_seconds", "max_retries", "location")
    assert {name: after.settings[name] for name in names} == {
        "sync_interval_minutes": 30.0,
        "retry_interval_seconds": 60.0,
        "max_retries": 3,
        "location": "Back Room",  # a setting the form does not show is kept
    }
    assert isinstance(after.settings["max_retries"], int)  # stored as numbers, not text
    assert after.credentials == before.credentials
    assert after.account_name == before.account_name
    # the worker's retry rule reads what was saved
    assert policy_from_settings(after.settings) == RetryPolicy(delays=(60.0, 60.0, 60.0))

    page = html.unescape((await visitor.page("/settings", saved=warehouse.name)).text)
    assert _input(page, warehouse, "sync_interval_minutes") == "30"
    assert _input(page, warehouse, "max_retries") == "3"
    assert "retried every 1 min, up to 3 times (over 3 min)" in page
    assert 'role="status">Saved<' in page


async def test_an_emptied_setting_goes_back_to_its_default(
    served: RunningHub, shop: TenantClient, visitor: Visitor, warehouse: Provider
) -> None:
    await visitor.sign_in(shop.api_key)
    saved = await _save(visitor, warehouse, {"retry_interval_seconds": ""})
    assert saved.status_code == 303
    stored = (await _stored(served, shop.tenant_id, warehouse)).settings
    assert "retry_interval_seconds" not in stored
    assert stored["location"] == "Back Room"
    assert policy_from_settings(stored) == RetryPolicy(delays=(300.0,) * 12)  # seed 004's


@pytest.mark.parametrize(
    "refusal",
    [
        ("sync_interval_minutes", "0", "greater than 0"),
        ("sync_interval_minutes", "soon", "valid number"),
        ("sync_interval_minutes", "99999", "less than or equal to 10080"),
        ("retry_interval_seconds", "-1", "greater than 0"),
        ("retry_interval_seconds", "inf", "finite number"),
        ("retry_interval_seconds", "NaN", "finite number"),
        ("max_retries", "2.5", "valid integer"),
        ("max_retries", "-1", "greater than or equal to 0"),
        ("max_retries", "1001", "less than or equal to 1000"),
    ],
)
async def test_a_refused_value_is_named_on_the_form_and_nothing_is_saved(
    served: RunningHub,
    shop: TenantClient,
    visitor: Visitor,
    warehouse: Provider,
    refusal: tuple[str, str, str],
) -> None:
    name, value, problem = refusal
    await visitor.sign_in(shop.api_key)
    before = (await _stored(served, shop.tenant_id, warehouse)).settings
    good = {"sync_interval_minutes": "30", "retry_interval_seconds": "60", "max_retries": "3"}
    refused = await _save(visitor, warehouse, good | {name: value})
    assert refused.status_code == 422
    assert problem in _problems(refused.text)[name]
    assert list(_problems(refused.text)) == [name]
    assert _input(refused.text, warehouse, name) == value  # what was typed, to correct
    assert f'id="{warehouse.name}-{name}" name="{name}"' in refused.text
    assert (await _stored(served, shop.tenant_id, warehouse)).settings == before


async def test_every_refused_field_is_named_at_once(
    served: RunningHub, shop: TenantClient, visitor: Visitor, warehouse: Provider
) -> None:
    await visitor.sign_in(shop.api_key)
    refused = await _save(
        visitor, warehouse, {"sync_interval_minutes": "-5", "max_retries": "many"}
    )
    assert refused.status_code == 422
    assert set(_problems(refused.text)) == {"sync_interval_minutes", "max_retries"}


async def test_another_tenant_neither_sees_nor_changes_the_settings(
    served: RunningHub,
    shop: TenantClient,
    other_shop: TenantClient,
    visitor: Visitor,
    warehouse: Provider,
) -> None:
    await visitor.sign_in(other_shop.api_key)
    page = html.unescape((await visitor.page("/settings")).text)
    assert "Back Room" not in page
    assert f'id="{warehouse.name}-retry_interval_seconds"' not in page  # not connected
    refused = await _save(visitor, warehouse, {"retry_interval_seconds": "1"})
    assert refused.status_code == 404
    assert (await _stored(served, shop.tenant_id, warehouse)).settings[
        "retry_interval_seconds"
    ] == 5


@pytest.mark.parametrize(("provider", "status"), [("nope", 404), ("NOT-A-NAME", 422)])
async def test_an_unknown_provider_is_refused(
    shop: TenantClient, visitor: Visitor, provider: str, status: int
) -> None:
    await visitor.sign_in(shop.api_key)
    token = await visitor.csrf("/settings")
    answer = await visitor.http.post(
        f"/settings/connections/{provider}",
        data={"csrf_token": token, "max_retries": "3"},
        headers=HTML,
    )
    assert answer.status_code == status
    assert answer.json()["field"] in {"provider", "path.provider"}


@pytest.mark.parametrize("token", [None, "forged-token"])
async def test_saving_without_the_sessions_token_is_refused(
    served: RunningHub,
    shop: TenantClient,
    visitor: Visitor,
    warehouse: Provider,
    token: str | None,
) -> None:
    await visitor.sign_in(shop.api_key)
    refused = await _save(visitor, warehouse, {"max_retries": "1"}, token=token)
    assert refused.status_code == 403
    assert refused.json()["field"] == "csrf_token"
    data = {"email": "owner@fadefactory.test"} | ({"csrf_token": token} if token else {})
    email = await visitor.http.post("/settings/email", data=data, headers=HTML)
    assert email.status_code == 403
    assert "max_retries" not in (await _stored(served, shop.tenant_id, warehouse)).settings
    assert await notification_email(served.hub.uows, shop.tenant_id) is None


async def test_the_notification_email_is_saved_shown_and_cleared(
    served: RunningHub, shop: TenantClient, other_shop: TenantClient, visitor: Visitor
) -> None:
    await visitor.sign_in(shop.api_key)
    token = await visitor.csrf("/settings")
    saved = await visitor.http.post(
        "/settings/email",
        data={"csrf_token": token, "email": " owner@fadefactory.test "},
        headers=HTML,
    )
    assert (saved.status_code, saved.headers["location"]) == (
        303,
        "/settings?saved=email#email-settings",
    )
    assert await notification_email(served.hub.uows, shop.tenant_id) == "owner@fadefactory.test"
    assert await notification_email(served.hub.uows, other_shop.tenant_id) is None
    page = await visitor.page("/settings")
    assert 'value="owner@fadefactory.test"' in page.text
    assert "This hub sends no e-mail" in page.text  # the test hub has no SMTP server

    cleared = await visitor.http.post(
        "/settings/email", data={"csrf_token": token, "email": ""}, headers=HTML
    )
    assert cleared.status_code == 303
    assert await notification_email(served.hub.uows, shop.tenant_id) is None


@pytest.mark.parametrize(
    "address",
    ["not-an-address", "owner@localhost", "owner@example.com\r\nBcc: all@example.com"],
)
async def test_a_bad_email_is_named_on_the_form_and_not_saved(
    served: RunningHub, shop: TenantClient, visitor: Visitor, address: str
) -> None:
    await visitor.sign_in(shop.api_key)
    token = await visitor.csrf("/settings")
    await visitor.http.post(
        "/settings/email", data={"csrf_token": token, "email": "old@fadefactory.test"}
    )
    refused = await visitor.http.post(
        "/settings/email", data={"csrf_token": token, "email": address}, headers=HTML
    )
    assert refused.status_code == 422
    assert "must be an e-mail address" in _problems(refused.text)["email"]
    assert 'aria-invalid="true"' in refused.text
    assert await notification_email(served.hub.uows, shop.tenant_id) == "old@fadefactory.test"
