"""The OpenAPI document: the key, every answer's status and shape as served, /docs offline."""

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import jsonschema_rs
import pytest

from tests.support.crm import Crm, connected_crm
from tests.support.hubs import RunningHub
from tests.support.world import SKU, World, failed_push_notice, open_world
from tillsync.config import Settings

PUBLIC = {
    ("GET", "/healthz"),
    ("GET", "/api/cin7/webhook"),
    ("POST", "/api/cin7/webhook"),
    ("POST", "/api/webhooks/{provider}"),
    ("GET", "/api/v1/pos/oauth/{provider}/callback"),  # the signed state names the tenant
    ("GET", "/api/poster/webhooks"),
    ("POST", "/api/poster/webhooks"),
    ("GET", "/api/poster/oauth/callback"),
}


async def _document(served: RunningHub) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=served.url) as client:
        answer = await client.get("/openapi.json")
    assert answer.status_code == 200
    document: dict[str, Any] = answer.json()
    return document


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


async def test_every_app_facing_operation_needs_the_bearer_key(served: RunningHub) -> None:
    document = await _document(served)
    scheme = document["components"]["securitySchemes"]["tenantKey"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    for method, path, operation in _operations(document):
        if (method, path) in PUBLIC:
            assert "security" not in operation, (method, path)
            continue
        assert operation["security"] == [{"tenantKey": []}], (method, path)
        assert "401" in operation["responses"], (method, path)


async def test_every_error_answer_is_a_problem_and_every_success_is_typed(
    served: RunningHub,
) -> None:
    document = await _document(served)
    schemas = document["components"]["schemas"]
    assert {"error", "message"} <= set(schemas["Problem"]["required"])
    assert "HTTPValidationError" not in schemas
    for method, path, operation in _operations(document):
        for status, response in operation["responses"].items():
            content = response.get("content", {})
            if status.startswith(("4", "5")):
                ref = content["application/json"]["schema"]["$ref"]
                assert ref.rsplit("/", 1)[1] in {"Problem", "PullConflict"}, (method, path)
            elif status.startswith("3"):
                assert content == {}, (method, path, status)  # a redirect: Location only
            elif "application/json" in content:
                schema = content["application/json"]["schema"]
                refs = [schema] if "$ref" in schema else schema.get("anyOf", [])
                assert refs, (method, path, status)
                assert all("$ref" in ref for ref in refs), (method, path, status)
            else:
                assert content == {"text/event-stream": {}}, (method, path, status)


async def test_a_body_or_parameters_bring_400_413_and_422(served: RunningHub) -> None:
    document = await _document(served)
    for method, path, operation in _operations(document):
        responses = operation["responses"]
        if "requestBody" in operation:
            assert {"400", "413"} <= set(responses), (method, path)
        if operation.get("parameters") or "requestBody" in operation:
            assert {"422"} <= set(responses) or path == "/api/cin7/credentials", (method, path)


@pytest.fixture
async def world(settings: Settings) -> AsyncIterator[World]:
    async with open_world(settings, stock=20) as opened:
        yield opened


@pytest.fixture
async def crm(world: World) -> AsyncIterator[Crm]:
    async with connected_crm(world.hub.hub, world.tenant_id) as connected:
        yield connected


class Conformance:
    """Sends requests as a tenant and checks each answer against the served document."""

    def __init__(self, document: dict[str, Any], http: httpx.AsyncClient) -> None:
        self.document = document
        self.http = http
        self.seen: set[tuple[str, str, str]] = set()

    async def __call__(
        self, method: str, path: str, *, status: int, **request: Any
    ) -> dict[str, Any]:
        answer = await self.http.request(method, path, **request)
        assert answer.status_code == status, answer.text
        template = self._template(path.split("?", 1)[0])
        responses = self.document["paths"][template][method.lower()]["responses"]
        assert str(status) in responses, f"{method} {template} answered an undocumented {status}"
        schema = responses[str(status)]["content"]["application/json"]["schema"]
        root = {**schema, "components": self.document["components"]}
        body: dict[str, Any] = answer.json()
        errors = [
            f"{list(e.instance_path)}: {e.message}"
            for e in jsonschema_rs.validator_for(root).iter_errors(body)
        ]
        assert not errors, f"{method} {template} {status}: {errors}\n{body}"
        self.seen.add((method, template, str(status)))
        return body

    def _template(self, path: str) -> str:
        for template in self.document["paths"]:
            pattern = re.sub(r"\{[^}]+\}", "[^/]+", template)
            if re.fullmatch(pattern, path):
                return template
        raise AssertionError(f"{path} is not in the document")


async def test_every_answer_conforms_to_the_document(world: World, crm: Crm) -> None:
    document = await _document(world.hub)
    check = Conformance(document, world.pos)
    await check("GET", "/healthz", status=200)
    sale_sync = "/api/cin7/sale-sync"
    await check(
        "POST", sale_sync, status=200, json={"action": "CHECK_INVENTORY", "sku": SKU, "quantity": 2}
    )
    hold = await check(
        "POST", sale_sync, status=200, json={"action": "RESERVE", "sku": SKU, "quantity": 1}
    )
    await check(
        "POST",
        sale_sync,
        status=200,
        json={"action": "RELEASE", "reservationId": hold["reservationId"]},
    )
    line = {"sku": SKU, "quantity": 1, "price": 29.99}
    await check(
        "POST",
        sale_sync,
        status=200,
        json={"action": "RECORD_SALE", "saleId": "S-1", "items": [line]},
    )
    await check(
        "POST", sale_sync, status=409, json={"action": "RESERVE", "sku": SKU, "quantity": 1000}
    )
    await check(
        "POST",
        sale_sync,
        status=404,
        json={"action": "CHECK_INVENTORY", "sku": "GHOST", "quantity": 1},
    )
    await check("POST", sale_sync, status=422, json={"action": "CHECK_INVENTORY", "sku": SKU})
    sale = {"saleId": "POS-1", "customerId": "c-1", "customerName": "Marcus", "items": [line]}
    await check("POST", "/api/sales", status=200, json=sale)
    await check(
        "POST",
        "/api/sales",
        status=200,
        json={**sale, "saleId": "POS-2", "items": [dict(line, quantity=18)]},
    )
    await world.hub.hub.create_worker().run_until_idle()
    await check("GET", "/api/sales/POS-1", status=200)
    await check("GET", "/api/sales/POS-1/history", status=200)
    await check("GET", "/api/sales/NOPE", status=404)
    await check("GET", f"/api/v1/pos/history/{world.tenant_id}", status=200)
    await check("GET", f"/api/v1/pos/stats/{world.tenant_id}", status=200)
    await check("GET", "/api/v1/pos/stats/someone-else", status=404)
    await check("GET", "/api/connections/stats", status=200)
    await check("GET", "/api/catalog", status=200)
    alerts = await check("GET", "/api/alerts", status=200)
    assert alerts["alerts"], "selling out raised an alert"

    notice_id = await failed_push_notice(world, dedupe_key="document")
    await check("GET", "/api/notifications", status=200)
    await check("POST", f"/api/notifications/{notice_id}/read", status=200)
    await check("POST", "/api/notifications/read-all", status=200)
    await check("PUT", "/api/settings/notifications", status=200, json={"email": "a@b.test"})
    await check("GET", "/api/settings/notifications", status=200)

    await check("GET", "/api/crm/connection", status=200)
    await check("POST", "/api/crm/connection/test", status=200)
    await check("DELETE", "/api/crm/connection", status=200)
    await check("GET", "/api/crm/connection", status=200)
    await check("DELETE", "/api/crm/connection", status=404)

    await check("GET", "/api/cin7/credentials", status=200)
    await check("GET", "/api/cin7/health", status=200)
    queued = await check("POST", "/api/cin7/reconcile", status=202)
    await check("POST", "/api/cin7/reconcile", status=409)
    await world.hub.hub.create_worker().run_until_idle()
    await check("GET", f"/api/cin7/sync/{queued['runId']}", status=200)
    await check("GET", "/api/cin7/reconcile/reports", status=200)
    await check("GET", f"/api/cin7/reconcile/reports/{queued['runId']}", status=200)
    pair = {
        "accountId": world.cin7.headers["api-auth-accountid"],
        "apiKey": world.cin7.headers["api-auth-applicationkey"],
    }
    await check("PUT", "/api/cin7/credentials", status=200, json=pair)
    await check("PUT", "/api/cin7/credentials", status=400, json={**pair, "apiKey": "wrong"})
    await check("DELETE", "/api/cin7/credentials", status=200)
    await check("DELETE", "/api/cin7/credentials", status=404)
    await check("POST", "/api/cin7/sync", status=404)

    async with httpx.AsyncClient(base_url=world.hub.url) as anonymous:
        check.http = anonymous
        await check("GET", "/api/catalog", status=401)
        await check(
            "POST",
            sale_sync,
            status=401,
            content=b"{",
            headers={"Content-Type": "application/json"},
        )


@pytest.mark.parametrize(
    ("page", "scripts"),
    [("/docs", ("swagger-ui-bundle.js", "swagger-ui.css")), ("/redoc", ("redoc.standalone.js",))],
)
async def test_docs_are_served_without_a_network(
    served: RunningHub, page: str, scripts: tuple[str, ...]
) -> None:
    async with httpx.AsyncClient(base_url=served.url) as browser:
        html = await browser.get(page)
        assert html.status_code == 200
        assets = re.findall(r"""(?:src|href)=['"]([^'"]+)['"]""", html.text)
        for script in scripts:
            assert any(a.endswith(script) for a in assets), script
        for asset in assets:
            assert asset.startswith("/"), f"{page} loads {asset} from elsewhere"
            fetched = await browser.get(asset)
            assert fetched.status_code == 200, asset
            assert fetched.content, asset
        assert "/openapi.json" in html.text
        assert "fonts.googleapis" not in html.text
