"""The locale switch in the console's header: a signed-in reader's choice is saved as its
setting; a reader not signed in (the sign-in page) keeps it in a cookie."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from probandi.domain.errors import InvalidInput
from probandi.domain.locales import check_locale
from probandi.entrypoints.console.web import (
    LOCALE_COOKIE,
    ConsoleRoute,
    Signed,
    check_csrf,
    go,
    services,
)
from probandi.services.preferences import set_locale

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)
YEAR = 365 * 24 * 3600


def _back(target: object) -> str:
    """Only a console path of this site: never an open redirect."""
    if isinstance(target, str) and target.startswith("/console") and "//" not in target:
        return target[:500]
    return "/console"


@router.post("/locale")
async def choose(request: Request, session: Signed) -> Response:
    form = await check_csrf(request, session)
    locale = form.get("locale")
    if not isinstance(locale, str):
        raise InvalidInput("choose a locale", field="locale")
    await run_in_threadpool(set_locale, session.actor, locale, svc=services(request))
    return go(_back(form.get("next")))


@router.get("/locale/{locale}")
def choose_signed_out(request: Request, locale: str) -> Response:
    """For the sign-in page: a cookie, no server state (so no form and no CSRF token)."""
    chosen = check_locale(locale)
    response = go(_back(request.query_params.get("next") or "/console/login"))
    response.set_cookie(
        LOCALE_COOKIE,
        chosen,
        max_age=YEAR,
        path="/console",
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.secure_cookies,
    )
    return response
