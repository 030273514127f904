"""The dashboard as a browser without JavaScript uses it: forms, cookies and redirects."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

HTML = {"Accept": "text/html"}
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


class Visitor:
    """One browser's cookie jar; redirects are not followed, so each answer can be checked."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def page(self, path: str, **params: str) -> httpx.Response:
        return await self.http.get(path, params=params, headers=HTML)

    async def csrf(self, path: str = "/sign-in") -> str:
        """The CSRF token a page's forms carry (the sign-in form starts a session for it)."""
        answer = await self.page(path)
        assert answer.status_code == 200, answer.text
        found = TOKEN.search(answer.text)
        assert found is not None, "the page has no form with a CSRF token"
        return found.group(1)

    async def sign_in(self, api_key: str) -> httpx.Response:
        token = await self.csrf()
        return await self.http.post(
            "/sign-in", data={"api_key": api_key, "csrf_token": token}, headers=HTML
        )

    async def signed_in(self) -> bool:
        return (await self.page("/")).status_code == 200


@asynccontextmanager
async def visiting(url: str) -> AsyncIterator[Visitor]:
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        yield Visitor(http)
