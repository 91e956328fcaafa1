"""The web console at /console: server-rendered pages over the same services as the API."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from probandi.entrypoints.console import (
    admin,
    auth,
    brand,
    brand_requests,
    credentials,
    locale,
    report,
    review,
    seller,
    webhooks,
)
from probandi.entrypoints.console.headers import ConsoleSecurityHeaders
from probandi.entrypoints.console.web import HERE


def install(app: FastAPI) -> None:
    for module in (
        auth,
        review,
        seller,
        brand,
        admin,
        brand_requests,
        webhooks,
        credentials,
        report,
        locale,
    ):
        app.include_router(module.router)
    app.mount("/console/static", StaticFiles(directory=str(HERE / "static")), name="console-static")
    app.add_middleware(ConsoleSecurityHeaders)
