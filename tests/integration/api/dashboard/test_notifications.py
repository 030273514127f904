"""The notifications page: the tenant's own, newest first, marked read one at a time or all."""

import html
import re

import pytest

from tests.support.dashboard import HTML, Visitor
from tests.support.hubs import RunningHub, TenantClient
from tests.support.notices import raise_notice
from tillsync.services.notices import count_unread, list_notices

BADGE = re.compile(r'title="unread notifications">(\d+)</span>')


def _badge(text: str) -> int:
    found = BADGE.search(text)
    return int(found.group(1)) if found else 0


def _listed(text: str) -> list[str]:
    return re.findall(r'class="notice-title">([^<]+)<', html.unescape(text))


async def test_notifications_are_listed_newest_first_and_marked_read_one_then_all(
    served: RunningHub, shop: TenantClient, visitor: Visitor
) -> None:
    first = await raise_notice(served, shop.tenant_id, "push A", minutes=0)
    await raise_notice(served, shop.tenant_id, "push B", minutes=5)
    await raise_notice(served, shop.tenant_id, "invoice C", minutes=9)
    await visitor.sign_in(shop.api_key)
    shown = await visitor.page("/notifications")
    assert shown.status_code == 200
    assert _listed(shown.text) == ["invoice C failed", "push B failed", "push A failed"]
    assert _badge(shown.text) == 3
    assert _badge((await visitor.page("/")).text) == 3  # every page's navigation counts them

    token = await visitor.csrf("/notifications")
    marked = await visitor.http.post(
        f"/notifications/{first}/read", data={"csrf_token": token}, headers=HTML
    )
    assert marked.status_code == 303
    assert marked.headers["location"] == "/notifications"
    after = await visitor.page("/notifications")
    assert _badge(after.text) == 2
    assert f'data-id="{first}" data-kind' in after.text
    assert 'class="notice severity-critical" data-id="' + first in after.text  # not unread
    assert _listed((await visitor.page("/notifications", show="unread")).text) == [
        "invoice C failed",
        "push B failed",
    ]

    everything = await visitor.http.post(
        "/notifications/read-all?show=unread", data={"csrf_token": token}, headers=HTML
    )
    assert everything.status_code == 303
    assert everything.headers["location"] == "/notifications?show=unread"
    assert await count_unread(served.hub.uows, shop.tenant_id) == 0
    emptied = await visitor.page("/notifications", show="unread")
    assert _listed(emptied.text) == []
    assert "Nothing unread." in emptied.text
    assert _badge(emptied.text) == 0


async def test_marking_read_again_keeps_the_first_reading(
    served: RunningHub, shop: TenantClient, visitor: Visitor
) -> None:
    notice = await raise_notice(served, shop.tenant_id, "push A")
    await visitor.sign_in(shop.api_key)
    token = await visitor.csrf("/notifications")
    for _ in range(2):
        answer = await visitor.http.post(
            f"/notifications/{notice}/read", data={"csrf_token": token}, headers=HTML
        )
        assert answer.status_code == 303
    (read,) = await list_notices(served.hub.uows, shop.tenant_id, unread=False, limit=10)
    assert read.id == notice
    assert read.read_at is not None


async def test_another_tenant_sees_none_and_marks_none(
    served: RunningHub, shop: TenantClient, other_shop: TenantClient, visitor: Visitor
) -> None:
    ours = await raise_notice(served, shop.tenant_id, "our push")
    await raise_notice(served, other_shop.tenant_id, "their push")
    await visitor.sign_in(other_shop.api_key)
    page = await visitor.page("/notifications")
    assert _listed(page.text) == ["their push failed"]
    assert ours not in page.text

    token = await visitor.csrf("/notifications")
    refused = await visitor.http.post(
        f"/notifications/{ours}/read", data={"csrf_token": token}, headers=HTML
    )
    assert refused.status_code == 404
    assert refused.json()["field"] == "notification_id"
    await visitor.http.post("/notifications/read-all", data={"csrf_token": token}, headers=HTML)
    assert await count_unread(served.hub.uows, shop.tenant_id) == 1
    assert await count_unread(served.hub.uows, other_shop.tenant_id) == 0


@pytest.mark.parametrize("token", [None, "", "forged-token"])
@pytest.mark.parametrize("action", ["one", "all"])
async def test_marking_read_without_the_sessions_token_is_refused(
    served: RunningHub, shop: TenantClient, visitor: Visitor, token: str | None, action: str
) -> None:
    notice = await raise_notice(served, shop.tenant_id, "push A")
    await visitor.sign_in(shop.api_key)
    path = f"/notifications/{notice}/read" if action == "one" else "/notifications/read-all"
    data = {"csrf_token": token} if token is not None else {}
    answer = await visitor.http.post(path, data=data, headers=HTML)
    assert answer.status_code == 403
    assert answer.json()["field"] == "csrf_token"
    assert await count_unread(served.hub.uows, shop.tenant_id) == 1


async def test_a_signed_out_visitor_is_sent_to_sign_in(
    served: RunningHub, shop: TenantClient, visitor: Visitor
) -> None:
    notice = await raise_notice(served, shop.tenant_id, "push A")
    assert (await visitor.page("/notifications")).headers["location"] == "/sign-in"
    answer = await visitor.http.post(f"/notifications/{notice}/read", headers=HTML)
    assert (answer.status_code, answer.headers["location"]) == (303, "/sign-in")
    assert await count_unread(served.hub.uows, shop.tenant_id) == 1


@pytest.mark.parametrize(
    ("path", "field"),
    [("/notifications?show=read", "query.show"), ("/notifications?show=", "query.show")],
)
async def test_a_bad_filter_is_refused_naming_it(
    shop: TenantClient, visitor: Visitor, path: str, field: str
) -> None:
    await visitor.sign_in(shop.api_key)
    answer = await visitor.http.get(path)
    assert answer.status_code == 422
    assert answer.json()["field"] == field
