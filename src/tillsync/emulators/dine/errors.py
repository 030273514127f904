"""The one error Dine's rules raise, and its wire body `{"error": {"code", "message"}}`."""

from __future__ import annotations

from typing import Any


class DineError(Exception):
    """A refusal with Dine's status, a stable `code` and a human `message` (and the field)."""

    def __init__(
        self, message: str, *, code: str = "invalid_request", status: int = 422, field: str = ""
    ) -> None:
        super().__init__(message)
        self.message, self.code, self.status, self.field = message, code, status, field

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field:
            error["field"] = self.field
        return {"error": error}


def invalid(field: str, message: str) -> DineError:
    return DineError(message, field=field)


FAILURES = {
    429: ("rate_limited", "Too many requests; retry after the time given."),
    500: ("internal_error", "Something went wrong on our side."),
    502: ("bad_gateway", "Bad gateway."),
    503: ("unavailable", "The service is unavailable."),
    504: ("gateway_timeout", "Gateway timeout."),
}


def failure(status: int) -> DineError:
    code, message = FAILURES.get(status, ("error", "The request failed."))
    return DineError(message, code=code, status=status)
