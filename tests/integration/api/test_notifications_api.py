"""The notifications API: the caller's own notices, newest first, marked read one or all."""

import httpx
import pytest

from tests.support.hubs import RunningHub, TenantClient
from tests.support.notices import raise_notice


async def _titles(client: TenantClient, **params: str) -> list[str]:
    response = await client.http.get("/api/notifications", params=params)
    assert response.status_code == 200
    return [n["title"] for n in response.json()["notifications"]]


async def test_notifications_are_listed_newest_first_and_marked_read(
    served: RunningHub, shop: TenantClient
) -> None:
    first = await raise_notice(served, shop.tenant_id, "push A", minutes=0)
    await raise_notice(served, shop.tenant_id, "push B", minutes=5)
    listed = (await shop.http.get("/api/notifications")).json()["notifications"]
    assert [n["title"] for n in listed] == ["push B failed", "push A failed"]
    assert set(listed[0]) == {
        "id",
        "kind",
        "severity",
        "title",
        "message",
        "connection_id",
        "created_at",
        "read_at",
        "read",
    }
    assert (listed[1]["id"], listed[1]["read"], listed[1]["read_at"]) == (first, False, None)

    marked = await shop.http.post(f"/api/notifications/{first}/read")
    assert marked.status_code == 200
    assert marked.json()["read"] is True
    assert marked.json()["read_at"] is not None
    again = await shop.http.post(f"/api/notifications/{first}/read")
    assert again.json()["read_at"] == marked.json()["read_at"]  # the first reading stands

    assert await _titles(shop, unread="true") == ["push B failed"]
    assert await _titles(shop, unread="false") == ["push A failed"]
    assert await _titles(shop, limit="1") == ["push B failed"]

    everything = await shop.http.post("/api/notifications/read-all")
    assert everything.json() == {"marked": 1}
    assert await _titles(shop, unread="true") == []


async def test_another_tenants_notification_is_not_found(
    served: RunningHub, shop: TenantClient
) -> None:
    async with served.tenant("Other Shop") as other:
        theirs = await raise_notice(served, other.tenant_id, "their push", minutes=0)
        response = await shop.http.post(f"/api/notifications/{theirs}/read")
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"
        assert await _titles(shop) == []
        await shop.http.post("/api/notifications/read-all")
        assert await _titles(other, unread="true") == ["their push failed"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/notifications"),
        ("POST", "/api/notifications/read-all"),
        ("POST", "/api/notifications/x/read"),
        ("GET", "/api/settings/notifications"),
        ("PUT", "/api/settings/notifications"),
    ],
)
async def test_every_notification_endpoint_needs_a_key(
    served: RunningHub, method: str, path: str
) -> None:
    async with httpx.AsyncClient(base_url=served.url) as anonymous:
        response = await anonymous.request(method, path, json={"email": None})
    assert response.status_code == 401
    assert response.json()["error"] == "not_authenticated"


async def test_the_notification_email_is_set_read_and_cleared(shop: TenantClient) -> None:
    assert (await shop.http.get("/api/settings/notifications")).json() == {
        "email": None,
        "email_enabled": False,
    }
    put = await shop.http.put(
        "/api/settings/notifications", json={"email": " owner@fadefactory.test "}
    )
    assert put.status_code == 200
    assert put.json()["email"] == "owner@fadefactory.test"
    got = await shop.http.get("/api/settings/notifications")
    assert got.json()["email"] == "owner@fadefactory.test"
    cleared = await shop.http.put("/api/settings/notifications", json={"email": None})
    assert cleared.json()["email"] is None


@pytest.mark.parametrize(
    "body",
    [
        {"email": "not-an-address"},
        {"email": "owner@localhost"},
        {"email": "owner@example.com\r\nBcc: all@example.com"},
        {"email": "a@b.c" + "c" * 400},
        {"email": 42},
        {},
    ],
)
async def test_a_bad_email_is_refused_naming_the_field(
    shop: TenantClient, body: dict[str, object]
) -> None:
    response = await shop.http.put("/api/settings/notifications", json=body)
    assert response.status_code == 422
    assert response.json()["field"] == "email"
    assert (await shop.http.get("/api/settings/notifications")).json()["email"] is None
