"""An authenticated delivery's body read as events, or refused and logged whole."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping

from tillsync.connectors.contract import Provider
from tillsync.connectors.deliveries import Deliveries, Delivery
from tillsync.errors import ClientError

log = logging.getLogger("tillsync.services.inbound.receiver")


async def read_events(
    declared: Provider,
    deliveries: Deliveries,
    headers: Mapping[str, str],
    read_body: Callable[[], Awaitable[bytes]],
    connection_id: str | None,
) -> list[Delivery]:
    """The delivery's events; its content type, its body (one refused whole, nested too
    deeply, as well) and its parsing refused and logged alike."""
    try:
        deliveries.check_content_type(headers.get("content-type"))
        return deliveries.parse(await read_body())
    except ClientError as exc:
        log.warning(
            "%s webhook refused: %s",
            declared.title,
            exc.message,
            extra={"connection_id": connection_id, "field": exc.field},
        )
        raise
