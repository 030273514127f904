"""X-Request-ID: taken when well-formed or made, echoed, logged with the request and its jobs."""

import io
import json
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from tests.support.world import World, open_world
from tillsync.config import Settings
from tillsync.logs import JsonFormatter, RequestIdFilter

SALE_SYNC = "/api/cin7/sale-sync"


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """The lines production writes: the JSON formatter and the request-id filter."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield out
    finally:
        root.removeHandler(handler)


def _lines(out: io.StringIO) -> list[dict[str, Any]]:
    """The hub's own lines (the test's HTTP client logs too, as the hub's is set not to)."""
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    return [line for line in lines if line["logger"].startswith("tillsync.")]


@pytest.fixture
async def world(settings: Settings) -> AsyncIterator[World]:
    async with open_world(settings, webhooks=False) as opened:
        yield opened


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("pos-7f3a-0001", True),
        ("01HZX3.checkout:42_a", True),
        ("x" * 64, True),
        ("x" * 65, False),
        ("has space", False),
        ('quote"d', False),
        ("-starts-with-a-dash", False),
        ("", False),
        (None, False),
    ],
)
async def test_a_well_formed_request_id_is_echoed_and_any_other_replaced(
    world: World, sent: str | None, kept: bool
) -> None:
    headers = {"X-Request-ID": sent} if sent is not None else {}
    answer = await world.pos.get("/api/alerts", headers=headers)
    assert answer.status_code == 200
    echoed = answer.headers["X-Request-ID"]
    if kept:
        assert echoed == sent
    else:
        assert echoed != sent
        assert len(echoed) == 32
        assert int(echoed, 16) >= 0


async def test_an_error_answer_carries_its_request_id_too(world: World) -> None:
    unknown = await world.pos.get("/api/sales/NOPE", headers={"X-Request-ID": "req-404"})
    async with httpx.AsyncClient(base_url=world.hub.url) as stranger:
        refused = await stranger.get("/api/alerts", headers={"X-Request-ID": "req-401"})
    assert (unknown.status_code, unknown.headers["X-Request-ID"]) == (404, "req-404")
    assert (refused.status_code, refused.headers["X-Request-ID"]) == (401, "req-401")


async def test_each_request_writes_one_access_line_under_its_route_template(
    world: World, json_log: io.StringIO
) -> None:
    await world.pos.get("/api/sales/NOPE?debug=tsk_not_in_the_log", headers={"X-Request-ID": "r-1"})
    access = [line for line in _lines(json_log) if line["logger"] == "tillsync.access"]
    assert len(access) == 1
    line = access[0]
    assert line["request_id"] == "r-1"
    assert line["method"] == "GET"
    assert line["path"] == "/api/sales/NOPE"
    assert line["route"] == "/api/sales/{sale_id}"
    assert line["status"] == 404
    assert line["duration_ms"] >= 0
    assert "tsk_not_in_the_log" not in json.dumps(_lines(json_log))


async def test_the_jobs_a_request_queued_log_under_its_request_id(
    world: World, json_log: io.StringIO
) -> None:
    sale = {
        "action": "RECORD_SALE",
        "saleId": "REQ-1",
        "items": [{"sku": "TOMB45SHAVECBLCK", "quantity": 1, "price": 29.99}],
    }
    answer = await world.pos.post(SALE_SYNC, json=sale, headers={"X-Request-ID": "checkout-77"})
    assert answer.status_code == 200
    await world.hub.hub.create_worker().run_until_idle()  # the push: another task, later
    pushed = [
        line
        for line in _lines(json_log)
        if line["message"] == "job succeeded" and line["kind"] == "cin7.push_sale"
    ]
    assert [line["request_id"] for line in pushed] == ["checkout-77"]
    scheduled = [line for line in _lines(json_log) if line["logger"] == "tillsync.jobs.worker"]
    assert all(line.get("request_id") in (None, "checkout-77") for line in scheduled)


async def test_work_no_request_asked_for_logs_without_a_request_id(
    world: World, json_log: io.StringIO
) -> None:
    assert await world.hub.hub.create_scheduler().tick()  # the daily retention, at least
    await world.hub.hub.create_worker().run_until_idle()
    ran = [line for line in _lines(json_log) if line["message"] == "job succeeded"]
    assert ran
    assert all("request_id" not in line for line in ran)
