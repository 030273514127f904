"""The one error the Square rules raise, carrying Square's status, category, code and field."""

from __future__ import annotations

from typing import Any

INVALID_REQUEST = "INVALID_REQUEST_ERROR"
AUTHENTICATION = "AUTHENTICATION_ERROR"


class SquareError(Exception):
    """A refusal Square answers with `{"errors": [{category, code, detail, field}]}`."""

    def __init__(
        self,
        detail: str,
        *,
        code: str = "INVALID_VALUE",
        status: int = 400,
        category: str = INVALID_REQUEST,
        field: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code
        self.status = status
        self.category = category
        self.field = field

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {
            "category": self.category,
            "code": self.code,
            "detail": self.detail,
        }
        if self.field is not None:
            error["field"] = self.field
        return {"errors": [error]}


def missing(field: str) -> SquareError:
    return SquareError("Field must be set", code="MISSING_REQUIRED_PARAMETER", field=field)


def invalid(field: str, detail: str) -> SquareError:
    return SquareError(detail, code="INVALID_VALUE", field=field)


def not_found(detail: str, *, field: str | None = None) -> SquareError:
    return SquareError(detail, code="NOT_FOUND", status=404, field=field)


def unauthorized(code: str = "UNAUTHORIZED", detail: str | None = None) -> SquareError:
    texts = {
        "UNAUTHORIZED": "This request could not be authorized.",
        "ACCESS_TOKEN_EXPIRED": "The access token has expired.",
        "ACCESS_TOKEN_REVOKED": "The access token has been revoked.",
    }
    return SquareError(
        detail or texts.get(code, "This request could not be authorized."),
        code=code,
        status=401,
        category=AUTHENTICATION,
    )


def key_reused() -> SquareError:
    return SquareError(
        "The idempotency key can only be retried with the same request data.",
        code="IDEMPOTENCY_KEY_REUSED",
        field="idempotency_key",
    )
