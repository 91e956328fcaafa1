"""/docs (Swagger UI) and /redoc from vendored, pinned assets: no CDN, so they work offline.

The files in docs_static/ are copied unchanged from the npm packages swagger-ui-dist 5.35.0
and redoc 2.5.4 (licenses beside them); docs/operations.md says how to update them.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = Path(__file__).with_name("docs_static")
ASSETS_PATH = "/docs-static"
SWAGGER_UI_VERSION = "5.35.0"
REDOC_VERSION = "2.5.4"
# The pages may fetch from this server only: ReDoc's footer badge asks a CDN for its logo,
# which the browser now refuses without trying (the page's own loader script is inline).
OFFLINE_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' blob:",
        "worker-src 'self' blob:",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)


def _offline(page: HTMLResponse) -> HTMLResponse:
    page.headers["content-security-policy"] = OFFLINE_POLICY
    return page


def install(app: FastAPI) -> None:
    """Serve the docs pages and their assets (create the app with docs_url=redoc_url=None)."""
    app.mount(ASSETS_PATH, StaticFiles(directory=ASSETS), name="docs-static")
    openapi_url = app.openapi_url or "/openapi.json"
    favicon = f"{ASSETS_PATH}/favicon-32x32.png"

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        page = get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} - API",
            swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js?v={SWAGGER_UI_VERSION}",
            swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css?v={SWAGGER_UI_VERSION}",
            swagger_favicon_url=favicon,
            # No badge from the public validator service: nothing leaves this server.
            swagger_ui_parameters={"validatorUrl": None},
        )
        return _offline(page)

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        page = get_redoc_html(
            openapi_url=openapi_url,
            title=f"{app.title} - API reference",
            redoc_js_url=f"{ASSETS_PATH}/redoc.standalone.js?v={REDOC_VERSION}",
            redoc_favicon_url=favicon,
            with_google_fonts=False,
        )
        return _offline(page)
