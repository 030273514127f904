"""Poster's answers: `{"response": …}`, `{"error": {code, message}}`, injected failures."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from starlette.responses import Response

from tillsync.emulators.poster.errors import SAVE_ERROR, PosterError, rate_restricted
from tillsync.emulators.poster.wire import dump_json


def json_response(
    document: object, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(
        dump_json(document), status_code=status, media_type="application/json", headers=headers
    )


@dataclass(frozen=True, slots=True)
class Created:
    """What a create answers: `{"success": 1, "response": id}`."""

    id: int


def envelope(value: object) -> Response:
    if isinstance(value, Created):
        return json_response({"success": 1, "response": value.id})
    return json_response({"response": value})


def error_response(error: PosterError) -> Response:
    return json_response(error.body(), error.status)


def failure(status: int) -> Response:
    """An injected failure: 200 carries error 44 inside, 429 the rate restriction."""
    if status == 429:
        return json_response(rate_restricted().body(), 429)
    return json_response(PosterError(SAVE_ERROR, "Data save error").body(), status)


def failure_of_kind(kind: str) -> Response:
    """A random failure: `700` is the rate restriction inside a 200."""
    if kind == "700":
        return error_response(rate_restricted())
    return failure(int(kind))
