"""Refuse a NUL character in the path or query of any request, before any route sees it.

No identifier or filter has a use for U+0000, and PostgreSQL cannot store or compare text
holding one: left to the database it is a 500. JSON bodies are guarded by the `Strict`
models (schemas.py).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from probandi.entrypoints.api import problems


def has_nul_in_target(scope: Scope) -> bool:
    query: bytes = scope.get("query_string", b"")
    return "\x00" in scope["path"] or b"%00" in query or b"\x00" in query


class RefuseNulMiddleware:
    """A NUL in the decoded path or the query string gets a 422 problem."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and has_nul_in_target(scope):
            response = problems.problem(
                422, "validation_error", "the path or query contains a NUL character (U+0000)"
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
