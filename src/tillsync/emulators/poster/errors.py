"""Poster's refusals: `{"error": {code, message}}` inside HTTP 200, and the token exchange's
`{code, error_type, error_message}`.

The codes are Poster's own table (10, 11, 12, 32, 34, 38, 44, 400, 404, 700); which one a
case gets where the docs do not say is a GUESS kept here, so a capture changes one line.
"""

from __future__ import annotations

from typing import Any

NO_TOKEN = 10
BAD_TOKEN = 11
EXPIRED_TOKEN = 12
ID_MISSING = 32
FIELD_EMPTY = 34
SAVE_ERROR = 44  # GUESS: what an injected failure inside a 200 carries
BAD_REQUEST = 400
NOT_FOUND = 404
RATE_RESTRICTION = 700  # "Rate restriction" in the English table, "plan restriction" in ru
UNKNOWN_METHOD = NOT_FOUND  # GUESS: the docs name no code for a method that does not exist
BAD_APPLICATION = 143
BAD_CODE = BAD_REQUEST  # GUESS: an unknown, used or expired authorization code


class PosterError(Exception):
    """A refusal of the API: HTTP `status` (200, as Poster answers) with `{"error": {...}}`."""

    def __init__(self, code: int, message: str, *, status: int = 200) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message}}


class AuthError(Exception):
    """A refusal of the token exchange: `{code, error_type, error_message}` in a 200 (GUESS)."""

    def __init__(self, code: int, error_type: str, message: str) -> None:
        super().__init__(message)
        self.document: dict[str, Any] = {
            "code": code,
            "error_type": error_type,
            "error_message": message,
        }


def rate_restricted() -> PosterError:
    return PosterError(RATE_RESTRICTION, "Rate restriction")


def missing(field: str) -> PosterError:
    return PosterError(ID_MISSING if field.endswith("_id") else FIELD_EMPTY, f"{field} is empty")
