"""Poster's API over an injected `httpx.AsyncClient`: `GET {url}/api/{section}.{method}`.

How Poster says no, read once here (its refusals come inside HTTP 200):

    {"error": {"code": 10|11|12, ...}}   AuthFailed   no, unknown or expired token: a
                                                       token has no refresh, connect again
    {"error": {"code": 700, ...}}        Throttled    "rate restriction" (the notes: also
                                                       "plan restriction"; treated as a rate)
    {"error": {"code": 44, ...}}         Retryable    a save error on Poster's side (GUESS)
    {"error": {"code": other, ...}}      Permanent    a missing id, access denied, ...
    HTTP 4xx/5xx, transport failures     as every provider call (`http.classify`, `send`)

A message names the method and the code, never Poster's message (it can echo what we sent)
nor the token (it travels in the query, which `describe` leaves out).
"""

from __future__ import annotations

from typing import Any

import httpx

from tillsync.connectors.budget import Gate
from tillsync.connectors.http import classify, decode_json, send
from tillsync.errors import AuthFailed, Permanent, Retryable, Throttled

__all__ = ["DEFAULT_BASE_URL", "PosterClient", "read"]

DEFAULT_BASE_URL = "https://joinposter.com"
AUTH_CODES = frozenset({10, 11, 12})
RATE_RESTRICTION = 700
SAVE_ERROR = 44


class PosterClient:
    def __init__(self, http: httpx.AsyncClient, *, base_url: str, token: str, gate: Gate) -> None:
        self._http, self._gate, self._token = http, gate, token
        self._base_url = base_url.rstrip("/")
        self.calls = 0
        """Calls sent by this client (a sync reports them)."""

    def __repr__(self) -> str:
        return f"PosterClient(base_url={self._base_url!r})"  # never the token

    async def call(self, method: str, **params: str) -> Any:
        """The `response` of `method`; `false` (Poster's "not found" of a getter) as None."""
        return await self._send(method, params=params, body=None)

    async def post(self, method: str, body: dict[str, Any]) -> Any:
        """A write: the body as JSON, as Poster's PHP SDK sends it (the docs also take a form)."""
        return await self._send(method, params={}, body=body)

    async def _send(self, method: str, *, params: dict[str, str], body: Any) -> Any:
        await self._gate()  # no call leaves without a grant from the shared budget
        request = self._http.build_request(
            "GET" if body is None else "POST",
            f"{self._base_url}/api/{method}",
            params={"token": self._token, "format": "json", **params},
            json=body,
        )
        self.calls += 1
        response = await send(self._http, request)
        answer = read(response, method=method)
        return None if answer is False else answer


def read(response: httpx.Response, *, method: str) -> Any:
    """The `response` of a successful answer, or the tillsync error its envelope stands for."""
    classify(response)
    body = decode_json(response)
    if not isinstance(body, dict):
        raise Permanent(f"Poster's {method} answered no JSON object")
    if "error" not in body:
        if "response" not in body:
            raise Permanent(f"Poster's {method} answered neither response nor error")
        return body["response"]
    code = _code(body)
    message = f"Poster's {method} answered error {code}"
    if code in AUTH_CODES:
        raise AuthFailed(message + ": the token is missing, unknown or expired")
    if code == RATE_RESTRICTION:
        raise Throttled(message + " (rate restriction)", wait_seconds=None)
    if code == SAVE_ERROR:
        raise Retryable(message)
    raise Permanent(message)


def _code(body: dict[str, Any]) -> int | None:
    """`{"error": {"code": n}}`, or the manage flow's `{"error": n}`."""
    error = body.get("error")
    code = error.get("code") if isinstance(error, dict) else error
    if isinstance(code, str) and code.isdigit():
        return int(code)
    return code if isinstance(code, int) and not isinstance(code, bool) else None
