"""The control surface's faults, as every emulator with random faults serves them: a rule
set, shown, used on the next matching call, refused when wrong, cleared."""

from __future__ import annotations

import httpx
import pytest

from tillsync.providers import emulator_app
from tillsync.serving import serve

RULE = {"method": "GET", "path": "/nowhere", "action": "fail_before", "status": 503}


@pytest.mark.parametrize("provider", ["square", "dine", "zoho", "poster"])
async def test_faults_are_set_shown_refused_and_cleared(provider: str) -> None:
    async with serve(emulator_app(provider)) as url, httpx.AsyncClient(base_url=url) as control:
        body = {"error_rate": 0.25, "kinds": ["500"], "latency_ms": 5, "seed": 7, "rules": [RULE]}
        put = await control.put("/_emulator/faults", json=body)
        assert put.status_code == 200, put.text
        shown = (await control.get("/_emulator/faults")).json()
        assert (shown["error_rate"], shown["seed"], shown["latency_ms"]) == (0.25, 7, 5)
        assert [rule["status"] for rule in shown["rules"]] == [503]

        refused = await control.put("/_emulator/faults", json=body | {"kinds": ["418"]})
        assert refused.status_code == 422, refused.text
        assert (await control.get("/_emulator/faults")).json()["error_rate"] == 0.25

        cleared = (await control.delete("/_emulator/faults")).json()
        assert (cleared["error_rate"], cleared["rules"]) == (0.0, [])
