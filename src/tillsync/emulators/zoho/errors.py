"""Zoho's refusals: the API's `{code, message}` envelope and the accounts server's `{error}`.

The codes the notes name are Zoho's (57, 1000, 1002); the others are GUESSES kept here, in
one place, so a capture of the real ones changes one line each.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

NOT_AUTHORIZED = 57
INTERNAL = 1000
DOES_NOT_EXIST = 1002
INVALID_VALUE = 4  # GUESS
INVALID_URL = 5  # GUESS
ORGANIZATION_MISSING = 2  # GUESS
NOT_OF_ORGANIZATION = 6041  # GUESS
DUPLICATE_NAME = 3062  # GUESS
THROTTLED = 44  # GUESS: the notes leave the 429 body open
QUOTA_SPENT = 45  # GUESS


class ZohoError(Exception):
    """A refusal answered with HTTP `status` and `{"code": code, "message": message}`."""

    def __init__(self, code: int, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message}


class AccountsError(Exception):
    """A refusal of the accounts server: `{"error": ...}`, HTTP 200 unless throttled."""

    def __init__(
        self, error: str, *, status: int = 200, details: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(error)
        self.status = status
        self.document: dict[str, Any] = {"error": error, **(details or {})}


def not_authorized() -> ZohoError:
    """Code 57: an expired, revoked or unknown token; the client refreshes and retries."""
    return ZohoError(NOT_AUTHORIZED, "You are not authorized to perform this operation", status=401)


def does_not_exist(what: str, *, status: int = 404) -> ZohoError:
    return ZohoError(DOES_NOT_EXIST, f"{what} does not exist.", status=status)


def invalid(field: str) -> ZohoError:
    return ZohoError(INVALID_VALUE, f"Invalid value passed for {field}")


def throttled() -> ZohoError:
    return ZohoError(
        THROTTLED,
        "You have made too many requests continuously. Please try again after some time.",
        status=429,
    )


def quota_spent(quota: int) -> ZohoError:
    return ZohoError(
        QUOTA_SPENT,
        f"You have reached the maximum of {quota} API calls allowed in a day.",
        status=429,
    )
