"""The brand desk: a rights holder's brands, standing and record; filing and following
notices."""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from probandi.domain.actors import Role
from probandi.domain.commands import FileNotice
from probandi.domain.errors import InvalidInput, PayloadTooLarge
from probandi.domain.notices import MAX_LISTINGS, REASON_TEXT, NoticeReason
from probandi.entrypoints.console.web import ConsoleRoute, Signed, actor_of, check_csrf, go, page
from probandi.services import views
from probandi.services.brand_requests import list_brand_requests
from probandi.services.holders import get_holder
from probandi.services.notice_views import list_notices
from probandi.services.notices import file_notice, upload_evidence, withdraw_notice

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)
SEPARATORS = re.compile(r"[\s,;]+")


@router.get("/brand", response_class=HTMLResponse)
def desk(request: Request, session: Signed) -> Response:
    actor = actor_of(session, Role.RIGHTS_HOLDER)
    svc = request.app.state.services
    return page(
        request,
        "brand.html",
        session,
        holder=get_holder(actor.party_id or "", actor, svc=svc),
        brands=views.list_brands(actor, svc=svc),
        brand_requests=list_brand_requests(actor, svc=svc, limit=20),
        notices=list_notices(actor, svc=svc, limit=50, offset=0),
    )


@router.get("/notices-new", response_class=HTMLResponse)
def new_notice(request: Request, session: Signed) -> Response:
    actor_of(session, Role.RIGHTS_HOLDER)
    return page(
        request,
        "notice_new.html",
        session,
        reasons=[(r.value, REASON_TEXT[r]) for r in NoticeReason],
        most=MAX_LISTINGS,
    )


@router.post("/notices/new")
async def post_notice(request: Request, session: Signed) -> Response:
    form = await check_csrf(request, session)
    actor = actor_of(session, Role.RIGHTS_HOLDER)
    svc = request.app.state.services
    ids = tuple(i for i in SEPARATORS.split(str(form.get("listing_ids", ""))) if i)
    if len(ids) > MAX_LISTINGS:
        raise InvalidInput(
            "paste at most %(MAX_LISTINGS)s listing ids",
            field="listing_ids",
            params={"MAX_LISTINGS": MAX_LISTINGS},
        )
    reason = str(form.get("reason", ""))
    if reason not in {r.value for r in NoticeReason}:
        raise InvalidInput("choose a reason", field="reason")
    evidence: tuple[str, ...] = ()
    file = form.get("evidence")
    if isinstance(file, UploadFile) and file.filename:
        limit: int = request.app.state.settings.max_upload_bytes
        data = await file.read(limit + 1)
        if len(data) > limit:
            raise PayloadTooLarge(
                "the file is larger than %(limit)s bytes", params={"limit": limit}
            )
        stored = await run_in_threadpool(
            upload_evidence, actor, file.filename, data, file.content_type, svc=svc
        )
        evidence = (stored.id,)
    cmd = FileNotice(
        actor,
        NoticeReason(reason),
        ids,
        str(form.get("text", "")).strip()[:5000],
        evidence,
        form.get("good_faith") == "yes",
    )
    result = await run_in_threadpool(file_notice, cmd, svc=svc)
    return go(f"/console/notices/{result.notice.id}", "filed")


@router.post("/notices/{notice_id}/withdraw")
async def withdraw(notice_id: str, request: Request, session: Signed) -> Response:
    form = await check_csrf(request, session)
    actor = actor_of(session, Role.RIGHTS_HOLDER)
    note = str(form.get("note", "")).strip()[:2000]
    await run_in_threadpool(
        withdraw_notice, notice_id, (), note, actor, svc=request.app.state.services
    )
    return go(f"/console/notices/{notice_id}", "withdrawn")
