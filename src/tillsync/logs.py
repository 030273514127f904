"""Logging as one JSON object per line (or plain text), with secrets kept out."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from typing import Any

from tillsync import request_ids

STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}
SECRET_WORDS = ("key", "secret", "token", "password", "authorization", "credential")
MASK = "***"


def _redact(name: str, value: Any) -> Any:
    lowered = name.lower()
    if any(word in lowered for word in SECRET_WORDS) and not lowered.endswith(("_id", "_file")):
        return MASK
    return value


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, value in record.__dict__.items():
            if name not in STANDARD and not name.startswith("_"):
                entry[name] = _redact(name, value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class RequestIdFilter(logging.Filter):
    """Adds the request id of the work in hand (see `request_ids`) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id") and (current := request_ids.current.get()):
            record.request_id = current
        return True


def configure_logging(*, level: str = "INFO", fmt: str = "json") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestIdFilter())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("httpx", "httpcore", "uvicorn.access", "aiosqlite", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
