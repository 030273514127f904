"""CIN7's answers: JSON error lists, the credentials refusal, the throttle, the 200 'not found'."""

from __future__ import annotations

from http import HTTPStatus

from starlette.responses import HTMLResponse, PlainTextResponse, Response

from tillsync.emulators.cin7.errors import Cin7Error
from tillsync.emulators.cin7.settings import ThrottleStyle
from tillsync.emulators.cin7.wire import dump_json

PAGE_NOT_FOUND = (
    "<!DOCTYPE html><html><head><title>Page not found</title></head>"
    "<body><h1>Page not found</h1><p>The page you are looking for does not exist.</p>"
    "</body></html>"
)


def json_response(document: object, status: int = 200) -> Response:
    return Response(dump_json(document), status_code=status, media_type="application/json")


def error_list(message: str, *, status: int = 400, error_code: int | None = None) -> Response:
    code = status if error_code is None else error_code
    return json_response([{"ErrorCode": code, "Exception": message}], status)


def error_response(error: Cin7Error) -> Response:
    return error_list(error.message, status=error.status, error_code=error.error_code)


def forbidden() -> Response:
    return PlainTextResponse("Incorrect credentials!", status_code=403)


def unknown_path(status: int) -> Response:
    """CIN7 answers unknown paths with an HTML page, often with HTTP 200."""
    return HTMLResponse(PAGE_NOT_FOUND, status_code=status)


def method_not_allowed(method: str) -> Response:
    return error_list(f"The requested resource does not support http method '{method}'", status=405)


def unparseable() -> Response:
    return error_list("The object passed to the API could not be parsed", status=500)


def throttled(style: ThrottleStyle, limit: int) -> Response:
    """The three throttle answers seen in the wild; none carries Retry-After."""
    if style == "400":
        return error_list(f"You have reached {limit} calls per 60 seconds API limit.")
    status = 503 if style == "503" else 429
    return PlainTextResponse(f"You reached {limit} calls per minute API limit", status_code=status)


def failure(status: int) -> Response:
    if status == 500:
        return error_list("An error has occurred.", status=500)
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    return PlainTextResponse(phrase, status_code=status)
