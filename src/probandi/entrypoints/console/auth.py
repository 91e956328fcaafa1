"""Sign-in with an API key or a staff user's password, sign-out, and the home redirect."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from probandi.domain.actors import Role
from probandi.domain.signin import SignInThrottled
from probandi.entrypoints.console.web import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    ConsoleRoute,
    CsrfFailed,
    Signed,
    check_csrf,
    go,
    new_login_token,
    page,
    services,
)
from probandi.services.accounts import (
    SESSION_TTL,
    sign_in_with_key,
    sign_in_with_password,
    sign_out,
)

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)
HOME = {
    Role.REVIEWER: "/console/queue",
    Role.ADMIN: "/console/admin",
    Role.SELLER: "/console/listings",
    Role.RIGHTS_HOLDER: "/console/brand",
}


@router.get("", response_class=HTMLResponse)
@router.get("/", response_class=HTMLResponse)
def home(session: Signed) -> Response:
    return RedirectResponse(HOME.get(session.actor.role, "/console/login"), status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    token = new_login_token()
    response = page(request, "login.html", None, login_csrf=token, error=None)
    _set_cookie(request, response, LOGIN_CSRF_COOKIE, token, 900)
    return response


@router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request,
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    api_key: Annotated[str, Form(max_length=300)] = "",
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(csrf_token, expected):
        raise CsrfFailed("the sign-in form's security token is missing or stale; reload it")
    svc = services(request)
    client = request.client.host if request.client else "unknown"
    limits = request.app.state.settings.sign_in_limits()
    try:
        if api_key:
            signed = await run_in_threadpool(
                sign_in_with_key, api_key, client=client, limits=limits, svc=svc
            )
        else:
            signed = await run_in_threadpool(
                sign_in_with_password, username, password, client=client, limits=limits, svc=svc
            )
    except SignInThrottled as exc:
        return _refused(request, 429, exc.message, retry_after=exc.retry_after)
    if signed is None or signed.session.actor.role not in HOME:
        return _refused(
            request,
            401,
            "Unknown or revoked key, or a wrong name or password. The console is for "
            "reviewers, admins, sellers and rights holders.",
        )
    response = go(HOME[signed.session.actor.role])
    _set_cookie(request, response, SESSION_COOKIE, signed.token, int(SESSION_TTL.total_seconds()))
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/console")
    return response


@router.post("/logout")
async def logout(request: Request, session: Signed) -> Response:
    await check_csrf(request, session)
    token = request.cookies.get(SESSION_COOKIE, "")
    await run_in_threadpool(sign_out, token, svc=services(request))
    response = go("/console/login", "signed_out")
    response.delete_cookie(SESSION_COOKIE, path="/console")
    return response


def _refused(request: Request, status: int, error: str, retry_after: int = 0) -> Response:
    token = new_login_token()
    refused = page(request, "login.html", None, status_code=status, login_csrf=token, error=error)
    if retry_after:
        refused.headers["Retry-After"] = str(retry_after)
    _set_cookie(request, refused, LOGIN_CSRF_COOKIE, token, 900)
    return refused


def _set_cookie(request: Request, response: Response, name: str, value: str, age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=age,
        path="/console",
        httponly=True,
        samesite="lax",
        secure=bool(request.app.state.settings.secure_cookies),
    )
