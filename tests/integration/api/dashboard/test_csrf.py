"""CSRF: an action of the dashboard counts only with its own session's token."""

import httpx
import pytest

from tests.support.dashboard import HTML, Visitor, visiting
from tests.support.hubs import RunningHub, TenantClient


def _refused(answer: httpx.Response) -> None:
    assert answer.status_code == 403
    assert answer.json()["field"] == "csrf_token"


@pytest.mark.parametrize("token", [None, "", "forged-token", "é"])
async def test_signing_in_without_the_forms_token_is_refused(
    visitor: Visitor, shop: TenantClient, token: str | None
) -> None:
    await visitor.csrf()  # the session the form started
    data = {"api_key": shop.api_key} | ({"csrf_token": token} if token is not None else {})
    answer = await visitor.http.post("/sign-in", data=data, headers=HTML)
    _refused(answer)
    assert not await visitor.signed_in()


async def test_signing_in_with_no_session_at_all_is_refused(
    visitor: Visitor, shop: TenantClient
) -> None:
    answer = await visitor.http.post(
        "/sign-in", data={"api_key": shop.api_key, "csrf_token": "anything"}, headers=HTML
    )
    _refused(answer)


async def test_another_sessions_token_does_not_sign_out(
    visitor: Visitor, shop: TenantClient, served: RunningHub
) -> None:
    await visitor.sign_in(shop.api_key)
    async with visiting(served.url) as attacker:
        await attacker.sign_in(shop.api_key)
        foreign = await attacker.csrf("/")
    answer = await visitor.http.post("/sign-out", data={"csrf_token": foreign}, headers=HTML)
    _refused(answer)
    assert await visitor.signed_in()


async def test_htmx_requests_send_the_token_as_a_header(
    visitor: Visitor, shop: TenantClient
) -> None:
    await visitor.sign_in(shop.api_key)
    token = await visitor.csrf("/")
    answer = await visitor.http.post(
        "/sign-out", headers={"X-CSRF-Token": token, "HX-Request": "true"}
    )
    assert answer.status_code == 303
    assert not await visitor.signed_in()


async def test_signing_in_gives_a_new_token(visitor: Visitor, shop: TenantClient) -> None:
    before = await visitor.csrf()
    await visitor.sign_in(shop.api_key)
    assert await visitor.csrf("/") != before
