"""Every API request runs in its reader's locale: the caller's saved setting (applied once the
API key is known, `deps.current_actor`), else `Accept-Language`, else the deployment's
default. Problems (`title`, `detail`) are written in it; codes never change."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from probandi.domain.locales import negotiate
from probandi.entrypoints import i18n


class LocaleMiddleware:
    def __init__(self, app: ASGIApp, default: str) -> None:
        self.app = app
        self.default = default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            header = next(
                (v.decode("latin-1") for k, v in scope["headers"] if k == b"accept-language"),
                None,
            )
            i18n.set_locale(negotiate(None, header, self.default))
        await self.app(scope, receive, send)
