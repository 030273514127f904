"""Signing in to the dashboard: a signed session cookie for the key, refused keys and cookies."""

import datetime as dt
from dataclasses import replace

import httpx
import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import update

from tests.support.dashboard import HTML, Visitor
from tests.support.hubs import RunningHub, TenantClient
from tillsync.dashboard.auth import cookies
from tillsync.dashboard.sessions import COOKIE
from tillsync.services.tenants import hash_key
from tillsync.store.tables import ApiKey

PAGES = ["/", "/stock", "/alerts"]


def _session_cookie(answer: httpx.Response) -> str:
    cookies = answer.headers.get_list("set-cookie")
    found = [c for c in cookies if c.startswith(f"{COOKIE}=")]
    assert len(found) == 1, cookies
    return found[0]


@pytest.mark.parametrize("path", PAGES)
async def test_a_page_sends_a_visitor_without_a_session_to_sign_in(
    visitor: Visitor, path: str
) -> None:
    answer = await visitor.page(path)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in"


@pytest.mark.parametrize(
    ("headers", "status", "redirect"),
    [
        ({"Accept": "text/html"}, 303, None),
        ({"HX-Request": "true", "Accept": "*/*"}, 401, "/sign-in"),
        ({"Accept": "application/json"}, 401, None),
        ({"Accept": "text/event-stream"}, 401, None),
    ],
)
async def test_a_request_without_a_session_is_answered_as_its_client_expects(
    visitor: Visitor, headers: dict[str, str], status: int, redirect: str | None
) -> None:
    answer = await visitor.http.get("/stock", headers=headers)
    assert answer.status_code == status
    assert answer.headers.get("HX-Redirect") == redirect
    if status == 401 and redirect is None:
        assert answer.json()["field"] == "session"


async def test_the_live_stream_needs_a_session(visitor: Visitor) -> None:
    answer = await visitor.http.get("/live/events", headers={"Accept": "text/event-stream"})
    assert answer.status_code == 401
    assert answer.json()["field"] == "session"


async def test_the_key_buys_a_signed_httponly_samesite_cookie_that_holds_no_key(
    visitor: Visitor, shop: TenantClient
) -> None:
    answer = await visitor.sign_in(shop.api_key)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/"
    cookie = _session_cookie(answer)
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"httponly", "samesite", "path", "max-age"} <= attributes
    assert "samesite=lax" in cookie.lower()
    assert "secure" not in attributes  # the hub is served over plain http here
    value = visitor.http.cookies[COOKIE]
    _, payload = URLSafeSerializer("unknown").loads_unsafe(value)
    assert set(payload) == {"csrf", "at", "tenant", "key"}
    assert payload["tenant"] == shop.tenant_id
    assert shop.api_key not in str(payload)
    assert hash_key(shop.api_key) not in str(payload)
    page = await visitor.page("/")
    assert page.status_code == 200
    assert "Fade Factory" in page.text
    assert shop.api_key not in page.text
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    ("key", "status", "message"),
    [
        ("", 422, "api_key: is required"),
        ("   ", 422, "api_key: is required"),
        ("tsk_" + "x" * 43, 401, "api_key: this key is unknown or was revoked"),
        ("x" * 500, 422, "api_key: is not a tillsync key"),
    ],
)
async def test_a_wrong_key_is_refused_naming_the_field(
    visitor: Visitor, shop: TenantClient, key: str, status: int, message: str
) -> None:
    answer = await visitor.sign_in(key)
    assert answer.status_code == status
    assert message in answer.text
    assert not await visitor.signed_in()


async def test_a_key_of_a_revoked_row_cannot_sign_in_and_revoking_ends_its_sessions(
    visitor: Visitor, shop: TenantClient, served: RunningHub
) -> None:
    assert (await visitor.sign_in(shop.api_key)).status_code == 303
    assert await visitor.signed_in()
    async with served.hub.uows.begin() as uow:
        await uow.session.execute(
            update(ApiKey).where(ApiKey.tenant_id == shop.tenant_id).values(revoked_at=uow.now)
        )
        await uow.commit()
    answer = await visitor.page("/stock")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in"
    assert (await visitor.sign_in(shop.api_key)).status_code == 401


async def test_signing_out_clears_the_session(visitor: Visitor, shop: TenantClient) -> None:
    await visitor.sign_in(shop.api_key)
    token = await visitor.csrf("/")
    answer = await visitor.http.post("/sign-out", data={"csrf_token": token}, headers=HTML)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in"
    assert "max-age=0" in _session_cookie(answer).lower()
    assert not await visitor.signed_in()


@pytest.mark.parametrize(
    "alter",
    [
        pytest.param(lambda value: value[:-2] + ("AA" if value[-2:] != "AA" else "BB"), id="sig"),
        pytest.param(
            lambda value: URLSafeSerializer(b"another hub's key" * 2, salt=COOKIE).dumps(
                URLSafeSerializer("x").loads_unsafe(value)[1]
            ),
            id="other-key",
        ),
        pytest.param(lambda value: "not a cookie", id="garbage"),
    ],
)
async def test_a_forged_or_altered_cookie_is_no_session(
    visitor: Visitor, shop: TenantClient, alter: object
) -> None:
    await visitor.sign_in(shop.api_key)
    value = visitor.http.cookies[COOKIE]
    assert callable(alter)
    visitor.http.cookies.set(COOKIE, alter(value))
    assert not await visitor.signed_in()


async def test_a_session_ends_twelve_hours_after_signing_in(
    visitor: Visitor, shop: TenantClient, served: RunningHub
) -> None:
    await visitor.sign_in(shop.api_key)
    signer = cookies(served.hub)
    session = signer.loads(visitor.http.cookies[COOKIE])
    assert session is not None
    for age, still in (
        (dt.timedelta(hours=11, minutes=59), True),
        (dt.timedelta(hours=12, seconds=1), False),
    ):
        aged = replace(session, issued_at=session.issued_at - age)
        visitor.http.cookies.set(COOKIE, signer.dumps(aged))
        assert await visitor.signed_in() is still
