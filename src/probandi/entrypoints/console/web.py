"""What every console page shares: templates, the signed-in session, CSRF, HTML errors."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, Coroutine
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from probandi.domain import errors
from probandi.domain.accounts import ConsoleSession
from probandi.domain.actors import Actor, Role
from probandi.domain.locales import LOCALES, N_, NAMES, negotiate
from probandi.entrypoints import i18n
from probandi.entrypoints.api.problems import STATUS
from probandi.services.accounts import session_and_locale
from probandi.services.context import Services

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
i18n.install(templates.env)
SESSION_COOKIE = "probandi_session"
LOGIN_CSRF_COOKIE = "probandi_login_csrf"
LOCALE_COOKIE = "probandi_locale"  # the choice of a reader not signed in
FLASH = {
    "approved": N_("Decision recorded: approved."),
    "rejected": N_("Decision recorded: rejected."),
    "claimed": N_("You hold this task for 15 minutes."),
    "released": N_("Task released to the queue."),
    "nothing": N_("Nothing to claim: the queue is empty for you."),
    "uploaded": N_("Proof uploaded; see its checks below."),
    "filed": N_("Notice filed: the listings below are suspended."),
    "countered": N_("Counter-notice filed; a reviewer will decide on your proof."),
    "withdrawn": N_("Withdrawn: the listings are restored."),
    "appealed": N_("Appeal filed; a reviewer other than the one who decided will decide it."),
    "verified": N_("Rights holder verified."),
    "trusted": N_("Trusted-flagger status changed."),
    "user": N_("User created."),
    "signed_out": N_("You are signed out."),
    "session_ended": N_("Session ended."),
    "user_disabled": N_("User disabled; their sessions have ended."),
    "user_enabled": N_("User enabled."),
    "key_added": N_("Key registered: credentials signed with it pass the gate."),
    "key_retire": N_(
        "Key retired: it signs nothing new; what it signed stays valid until it expires."
    ),
    "key_compromised": N_("Key reported compromised: everything it signed is void."),
    "key_suspend": N_("Key suspended: nothing it signed passes the gate until it is reinstated."),
    "key_reinstate": N_("Key reinstated."),
    "credential_revoke": N_(
        "Credential revoked; listings approved on it are held at the next tick."
    ),
    "credential_suspend": N_("Credential suspended."),
    "credential_reinstate": N_("Credential reinstated."),
}


LOCALE_CHOICES = tuple((code, NAMES[code]) for code in LOCALES)


class NotSignedIn(Exception):
    """No live session: the page sends the browser to sign in."""


class CsrfFailed(errors.Forbidden):
    code = "csrf_failed"


class ConsoleRoute(APIRoute):
    """Console handlers answer errors with an HTML page, not problem+json."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except NotSignedIn:
                return RedirectResponse("/console/login", status_code=303)
            except errors.DomainError as exc:
                i18n.set_locale(reader_locale(request))
                status = next((s for cls, s in STATUS.items() if isinstance(exc, cls)), 400)
                return page(
                    request,
                    "error.html",
                    None,
                    status_code=status,
                    code=exc.code,
                    message=i18n.error_text(exc),
                )
            finally:
                await request.close()  # the uploaded files of a form the page parsed

        return route


def services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


def current_session(request: Request) -> ConsoleSession:
    token = request.cookies.get(SESSION_COOKIE, "")
    found = session_and_locale(token, svc=services(request)) if token else None
    if found is None:
        raise NotSignedIn
    session, request.state.locale_setting = found
    return session


def reader_locale(request: Request) -> str:
    """The reader's own setting (signed in: saved; else the cookie), then Accept-Language,
    then the deployment's default."""
    setting = getattr(request.state, "locale_setting", None)
    if setting is None:
        setting = request.cookies.get(LOCALE_COOKIE)
    default = services(request).policy.default_locale
    return negotiate(setting, request.headers.get("accept-language"), default)


Signed = Annotated[ConsoleSession, Depends(current_session)]


def actor_of(session: ConsoleSession, *roles: Role) -> Actor:
    if roles and session.actor.role not in roles:
        raise errors.Forbidden("this page is not for your role", role=session.actor.role.value)
    return session.actor


async def check_csrf(request: Request, session: ConsoleSession) -> dict[str, Any]:
    """The form's fields, once its CSRF token matched the session's (else 403)."""
    form = await request.form()
    sent = form.get("csrf_token")
    if not isinstance(sent, str) or not hmac.compare_digest(sent, session.csrf_token):
        raise CsrfFailed("the form's security token is missing or stale; reload the page")
    return dict(form)


def page(
    request: Request,
    template: str,
    session: ConsoleSession | None,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    i18n.set_locale(reader_locale(request))
    flash = FLASH.get(request.query_params.get("flash", ""))
    svc = services(request)
    return templates.TemplateResponse(
        request,
        template,
        {
            "session": session,
            "actor": session.actor if session else None,
            "csrf": session.csrf_token if session else "",
            "flash": i18n._(flash) if flash else None,
            "locales": LOCALE_CHOICES,
            "here": request.url.path,
            "now": svc.clock.now(),
            **context,
        },
        status_code=status_code,
        headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY"},
    )


def go(url: str, flash: str | None = None) -> RedirectResponse:
    sep = "&" if "?" in url else "?"
    return RedirectResponse(url + (f"{sep}flash={flash}" if flash else ""), status_code=303)


def new_login_token() -> str:
    return secrets.token_urlsafe(24)


def badge(due: datetime | None, now: datetime) -> tuple[str, str]:
    """A deadline as (css class, words): overdue, due within a day, or later."""
    if due is None:
        return "", ""
    hours = (due - now).total_seconds() / 3600
    if hours < 0:
        late = {"days": int(-hours // 24), "hours": int(-hours % 24)}
        return "badge overdue", i18n._("overdue by %(days)sd %(hours)sh", **late)
    if hours < 24:
        return "badge soon", i18n._("due in %(hours)sh", hours=int(hours))
    return "badge", i18n._("due in %(days)sd", days=int(hours // 24))


templates.env.globals["badge"] = badge
