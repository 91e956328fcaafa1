"""The admin's pages: the dashboard, rights-holder verification, users and keys, policy;
access: users' status, live console sessions and sign-in lockouts."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from probandi.adapters.db.rows import RightsHolderRow
from probandi.domain.actors import Role
from probandi.domain.errors import InvalidInput
from probandi.entrypoints.console.charts import charts
from probandi.entrypoints.console.web import ConsoleRoute, Signed, actor_of, check_csrf, go, page
from probandi.queries.dashboard import dashboard
from probandi.services.accounts import (
    create_user,
    disable_user,
    enable_user,
    end_session,
    list_sessions,
    list_users,
)
from probandi.services.holders import enroll_trusted, get_holder, verify_holder
from probandi.services.keys import create_api_key
from probandi.services.signin import list_lockouts

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)


def _admin_page(request: Request, session: Signed, new_key: str | None) -> Response:
    actor = actor_of(session, Role.ADMIN)
    svc = request.app.state.services
    with Session(request.app.state.read_engine) as s:
        series = dashboard(s, actor, svc.clock.now())
        holder_ids = list(
            s.execute(select(RightsHolderRow.id).order_by(RightsHolderRow.id)).scalars()
        )
    return page(
        request,
        "admin.html",
        session,
        charts=charts(series),
        holders=[get_holder(h, actor, svc=svc) for h in holder_ids[:200]],
        users=list_users(actor, svc=svc),
        policy=sorted(vars(svc.policy).items()),
        roles=[r.value for r in Role],
        new_key=new_key,
        lockouts=list_lockouts(actor, svc=svc),
    )


@router.get("/admin", response_class=HTMLResponse)
def admin(request: Request, session: Signed) -> Response:
    return _admin_page(request, session, None)


@router.post("/admin/holders/{holder_id}/verify")
async def verify(holder_id: str, request: Request, session: Signed) -> Response:
    await check_csrf(request, session)
    actor = actor_of(session, Role.ADMIN)
    await run_in_threadpool(verify_holder, holder_id, actor, svc=request.app.state.services)
    return go("/console/admin", "verified")


@router.post("/admin/holders/{holder_id}/trusted")
async def trusted(holder_id: str, request: Request, session: Signed) -> Response:
    form = await check_csrf(request, session)
    actor = actor_of(session, Role.ADMIN)
    enrolled = form.get("enrolled") == "yes"
    await run_in_threadpool(
        enroll_trusted, holder_id, enrolled, actor, svc=request.app.state.services
    )
    return go("/console/admin", "trusted")


@router.post("/admin/users")
async def new_user(request: Request, session: Signed) -> Response:
    form = await check_csrf(request, session)
    actor = actor_of(session, Role.ADMIN)
    role = str(form.get("role", ""))
    if role not in (Role.REVIEWER.value, Role.ADMIN.value):
        raise InvalidInput("a user is a reviewer or an admin", field="role")
    await run_in_threadpool(
        create_user,
        str(form.get("username", "")).strip().lower(),
        Role(role),
        str(form.get("password", "")),
        actor,
        svc=request.app.state.services,
    )
    return go("/console/admin", "user")


@router.post("/admin/keys", response_class=HTMLResponse)
async def new_key(request: Request, session: Signed) -> Response:
    """The key is shown once, on this page, and never stored in the clear."""
    form = await check_csrf(request, session)
    actor_of(session, Role.ADMIN)
    role = str(form.get("role", ""))
    if role not in {r.value for r in Role}:
        raise InvalidInput("choose a role", field="role")
    party = str(form.get("party_id", "")).strip() or None
    label = str(form.get("label", "")).strip()[:200] or role
    raw = await run_in_threadpool(
        create_api_key, Role(role), party, label, svc=request.app.state.services
    )
    return _admin_page(request, session, raw)


@router.get("/admin/sessions", response_class=HTMLResponse)
def sessions(request: Request, session: Signed) -> Response:
    """Who is signed in now, which users are disabled, which sign-ins are locked."""
    actor = actor_of(session, Role.ADMIN)
    svc = request.app.state.services
    return page(
        request,
        "admin_sessions.html",
        session,
        sessions=list_sessions(actor, svc=svc),
        users=list_users(actor, svc=svc),
        lockouts=list_lockouts(actor, svc=svc),
    )


@router.post("/admin/sessions/end")
async def end(request: Request, session: Signed) -> Response:
    form = await check_csrf(request, session)
    actor = actor_of(session, Role.ADMIN)
    token_hash = str(form.get("session", ""))
    await run_in_threadpool(end_session, token_hash, actor, svc=request.app.state.services)
    return go("/console/admin/sessions", "session_ended")


@router.post("/admin/users/{username}/disable")
async def disable(username: str, request: Request, session: Signed) -> Response:
    await check_csrf(request, session)
    actor = actor_of(session, Role.ADMIN)
    await run_in_threadpool(disable_user, username, actor, svc=request.app.state.services)
    return go("/console/admin/sessions", "user_disabled")


@router.post("/admin/users/{username}/enable")
async def enable(username: str, request: Request, session: Signed) -> Response:
    await check_csrf(request, session)
    actor = actor_of(session, Role.ADMIN)
    await run_in_threadpool(enable_user, username, actor, svc=request.app.state.services)
    return go("/console/admin/sessions", "user_enabled")
