"""The OpenAPI document: FastAPI's, with every error each operation can answer, as `Problem`.

What a route takes decides the errors it shares with every route that takes the same:

    needs the tenant's key     401
    reads a body               400 (not JSON, nested too deeply), 413, 422
    takes parameters           422

(a route class with `invalid_input_status = 400` answers its invalid input with 400). A
route adds its own (404, 409, …) with `responses=`, and every 4xx or 5xx in the document
gets the `Problem` schema unless it names another.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts

from tillsync.api.problems import Problem
from tillsync.api.routing import needs_key

PROBLEM = "#/components/schemas/Problem"
SHARED = {
    401: "No API key, or one the hub does not know",
    400: "The body is not JSON, or nests too deeply",
    413: "The body is over the size limit",
    422: "A field or parameter is missing or wrong; `errors` lists every problem",
}
FASTAPI_ONLY = ("HTTPValidationError", "ValidationError")


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def document(app: FastAPI) -> dict[str, Any]:
    doc = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(problem.pop("$defs", {}))
    schemas["Problem"] = problem
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        for method in route.methods or ():
            operation = doc["paths"][context.path_format].get(method.lower())
            if operation is not None:
                _complete(operation["responses"], route)
                operation["responses"] = dict(sorted(operation["responses"].items()))
    for name in FASTAPI_ONLY:
        schemas.pop(name, None)
    return doc


def _complete(responses: dict[str, Any], route: APIRoute) -> None:
    invalid = getattr(route, "invalid_input_status", 422)
    shared: set[int] = set()
    if needs_key(route.dependant):
        shared.add(401)
    if route.body_field is not None:
        shared |= {400, 413, invalid}
    if _takes_parameters(route.dependant):
        shared.add(invalid)
    for code in shared:
        responses.setdefault(str(code), {"description": SHARED[code]})
    if invalid != 422:
        responses.pop("422", None)
    for status, response in responses.items():
        if status[0] in "45":
            _problem_schema(response)


def _problem_schema(response: dict[str, Any]) -> None:
    content = response.setdefault("content", {}).setdefault("application/json", {})
    schema = content.get("schema", {})
    if not schema or schema.get("$ref", "").endswith(FASTAPI_ONLY):
        content["schema"] = {"$ref": PROBLEM}
    if response.get("description") == "Validation Error":
        response["description"] = SHARED[422]


def _takes_parameters(dependant: Dependant) -> bool:
    own = (
        dependant.path_params
        or dependant.query_params
        or dependant.header_params
        or dependant.cookie_params
    )
    return bool(own) or any(_takes_parameters(d) for d in dependant.dependencies)
