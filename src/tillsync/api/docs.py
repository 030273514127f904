"""/docs (Swagger UI) and /redoc (ReDoc) over /openapi.json, every asset served by the hub itself.

Swagger UI comes from the swagger-ui-bundle package; ReDoc's standalone bundle (redoc 2.5.4
from npm, MIT, with its notices) is kept in `assets/redoc`. Neither page loads anything from
elsewhere, so both work offline.
"""

from __future__ import annotations

from pathlib import Path

import swagger_ui_bundle
from fastapi import FastAPI
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs/assets"
REDOC_ASSETS = "/redoc/assets"
OAUTH2_REDIRECT = "/docs/oauth2-redirect"
FAVICON = f"{ASSETS}/favicon-32x32.png"


def install(app: FastAPI) -> None:
    """For an app made with `docs_url=None, redoc_url=None`."""
    openapi_url = app.openapi_url or "/openapi.json"
    title = f"{app.title} API"
    directory = Path(str(swagger_ui_bundle.swagger_ui_path))
    app.mount(ASSETS, StaticFiles(directory=directory), name="swagger-ui")
    redoc = Path(__file__).with_name("assets") / "redoc"
    app.mount(REDOC_ASSETS, StaticFiles(directory=redoc), name="redoc")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=title,
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=FAVICON,
            oauth2_redirect_url=OAUTH2_REDIRECT,
        )

    @app.get(OAUTH2_REDIRECT, include_in_schema=False)
    async def oauth2_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    async def redoc_ui() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=title,
            redoc_js_url=f"{REDOC_ASSETS}/redoc.standalone.js",
            redoc_favicon_url=FAVICON,
            with_google_fonts=False,
        )
