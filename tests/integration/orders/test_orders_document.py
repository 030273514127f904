"""Every order and POS integration answer holds to the served OpenAPI document."""

from typing import Any

from tests.integration.api.test_openapi_document import Conformance
from tests.support.till.world import TillWorld


async def test_order_and_integration_answers_conform_to_the_document(world: TillWorld) -> None:
    document: dict[str, Any] = (await world.api.get("/openapi.json")).json()
    check = Conformance(document, world.api)
    business = world.tenant_id
    await check("GET", f"/api/v1/pos/integration/{business}", status=404)
    await check("POST", "/api/v1/pos/connect", status=422, json={"business_id": business})
    connect = {
        "business_id": business,
        "provider": "till",
        "access_token": world.till.state.access_token,
        "token_expires_at": "2099-12-31T23:59:59Z",
        "location_id": "LOC-1",
    }
    await check("POST", "/api/v1/pos/connect", status=200, json=connect)
    await check("POST", "/api/v1/pos/connect", status=404, json={**connect, "business_id": "x"})
    await check("GET", f"/api/v1/pos/integration/{business}", status=200)
    path = f"/api/v1/pos/integration/{business}"
    await check("PUT", path, status=200, json={"auto_sync_orders": True})
    await check("PUT", path, status=422, json={"auto_sync_orders": "x"})
    await check("PUT", f"{path}/item-mapping", status=200, json={"item_mapping": {"d": "i"}})
    await check("GET", f"{path}/item-mapping", status=200)
    await check("POST", "/api/v1/orders", status=201, json=world.order("DOC-1"))
    await check("POST", "/api/v1/orders", status=200, json=world.order("DOC-1"))
    await check("POST", "/api/v1/orders", status=409, json=world.order("DOC-1", currency="USD"))
    await check("POST", "/api/v1/orders", status=422, json=world.order("DOC-2", items=[]))
    await check("GET", "/api/v1/orders/DOC-1", status=200)
    await check("GET", "/api/v1/orders/NOPE", status=404)
    await check("POST", "/api/v1/pos/sync/DOC-1", status=200)
    await world.work()
    await check("GET", "/api/v1/orders/DOC-1", status=200)
    await check("POST", "/api/v1/pos/sync/DOC-1", status=200)
    await check("POST", "/api/v1/pos/sync/NOPE", status=404)
    await check("GET", f"/api/v1/pos/history/{business}", status=200)
    await check("GET", f"/api/v1/pos/stats/{business}", status=200)
    await check("POST", "/api/v1/pos/disconnect", status=200, json={"business_id": business})
    await check("POST", "/api/v1/pos/disconnect", status=404, json={"business_id": business})
    await check("POST", "/api/v1/pos/sync/DOC-1", status=200)  # in the POS: says so
    await check("POST", "/api/v1/orders", status=201, json=world.order("DOC-3"))
    await check("POST", "/api/v1/pos/sync/DOC-3", status=409)
