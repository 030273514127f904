"""The dashboard mounted on the hub's app: its pages, sign-in, live stream and static files."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from tillsync.dashboard import live, sign_in
from tillsync.dashboard.auth import SignInNeeded, sign_in_needed
from tillsync.dashboard.csrf import CsrfRefused, refused
from tillsync.dashboard.pages import (
    alerts,
    notifications,
    orders,
    overview,
    pos,
    records,
    sales,
    settings,
    stats,
    stock,
    syncs,
)
from tillsync.dashboard.rendering import templates

PAGES = (
    overview,
    stock,
    alerts,
    sales,
    orders,
    syncs,
    records,
    stats,
    notifications,
    pos,
    settings,
)
"""The navigation, in order. A page is a module with its `PAGE` and `router`, and a template."""
STATIC = Path(__file__).parent / "static"


def install(app: FastAPI) -> None:
    templates().env.globals["nav"] = tuple(module.PAGE for module in PAGES)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (sign_in, live, *PAGES):
        app.include_router(module.router)
    app.add_exception_handler(SignInNeeded, sign_in_needed)
    app.add_exception_handler(CsrfRefused, refused)
