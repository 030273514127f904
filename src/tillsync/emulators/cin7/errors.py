"""The one error the CIN7 rules raise, carrying CIN7's own status and message."""

from __future__ import annotations


class Cin7Error(Exception):
    """A refusal CIN7 would answer with `[{"ErrorCode": code, "Exception": message}]`.

    `status` is the HTTP status; `error_code` is the number inside the body, which CIN7
    sometimes sets apart from the status (`Category not found.` carries 404 in a 400).
    """

    def __init__(self, message: str, *, status: int = 400, error_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.error_code = status if error_code is None else error_code


def required(field: str, *, line: bool = False) -> Cin7Error:
    suffix = " for 'Lines' line" if line else ""
    return Cin7Error(f"'{field}' is required{suffix}")
