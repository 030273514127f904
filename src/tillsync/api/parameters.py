"""Path and query values the database could not store (a NUL) are refused, naming them."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

NUL = "\x00"


async def refuse_nul(request: Request) -> None:
    """An app-wide dependency: every operation's path and declared query values, checked once.

    Headers need no check: the HTTP server refuses a request with a NUL in one.
    """
    problems: list[dict[str, Any]] = [
        _problem("path", name, value)
        for name, value in request.path_params.items()
        if isinstance(value, str) and NUL in value
    ]
    route = request.scope.get("route")
    if isinstance(route, APIRoute):
        problems += [
            _problem("query", name, value)
            for name in _query_names(route.dependant)
            for value in request.query_params.getlist(name)
            if NUL in value
        ]
    if problems:
        raise RequestValidationError(problems)


def _query_names(dependant: Dependant) -> set[str]:
    names = {field.alias for field in dependant.query_params}
    for dependency in dependant.dependencies:
        names |= _query_names(dependency)
    return names


def _problem(where: str, name: str, value: str) -> dict[str, Any]:
    return {
        "type": "string_nul",
        "loc": (where, name),
        "msg": "must not contain a NUL character",
        "input": value,
    }
