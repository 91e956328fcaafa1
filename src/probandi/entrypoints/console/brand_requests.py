"""The admin's brand requests page: rights holders' asks of the registry, decided here."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from probandi.domain.actors import Role
from probandi.domain.brand_requests import DecideBrandRequest, RequestAction, RequestState
from probandi.domain.errors import InvalidInput
from probandi.entrypoints.console.web import ConsoleRoute, Signed, actor_of, check_csrf, go, page
from probandi.services import views
from probandi.services.brand_requests import decide_brand_request, list_brand_requests

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)


@router.get("/admin/brand-requests", response_class=HTMLResponse)
def brand_requests(request: Request, session: Signed) -> Response:
    actor = actor_of(session, Role.ADMIN)
    svc = request.app.state.services
    found = list_brand_requests(actor, svc=svc, limit=200)
    current = {b.id: b for b in views.list_brands(actor, svc=svc)}
    return page(
        request,
        "admin_brand_requests.html",
        session,
        pending=[
            (r, current.get(r.brand_id or "")) for r in found if r.state is RequestState.PENDING
        ],
        decided=[r for r in found if r.state is not RequestState.PENDING],
    )


@router.post("/admin/brand-requests/{request_id}/decision")
async def decide(request_id: str, request: Request, session: Signed) -> Response:
    form = await check_csrf(request, session)
    actor = actor_of(session, Role.ADMIN)
    decision = str(form.get("decision", ""))
    if decision not in {a.value for a in RequestAction}:
        raise InvalidInput("choose approve or refuse", field="decision")
    reason = str(form.get("reason", "")).strip()[:2000] or None
    cmd = DecideBrandRequest(actor, request_id, RequestAction(decision), reason)
    decided = await run_in_threadpool(decide_brand_request, cmd, svc=request.app.state.services)
    return go("/console/admin/brand-requests", decided.state.value)
