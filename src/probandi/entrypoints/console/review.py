"""The reviewer's pages: the queue, a case with its evidence, and the decision."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from probandi.domain.actors import Actor, Role
from probandi.domain.commands import DecideTask
from probandi.domain.errors import InvalidInput
from probandi.domain.review import Decision, TaskKind, allowed_task_actions, reason_table
from probandi.domain.statements import decision_statement
from probandi.domain.vouchers import Severity
from probandi.entrypoints.console.reading_view import contradicted_fields, reading_view
from probandi.entrypoints.console.web import ConsoleRoute, Signed, actor_of, check_csrf, go, page
from probandi.queries.reading_status import listings_being_read
from probandi.queries.review_queue import QueueFilter, review_queue
from probandi.queries.voucher_clusters import VoucherMatch, voucher_matches
from probandi.services import views
from probandi.services.appeals import get_appeal
from probandi.services.long_ids import id_matches
from probandi.services.penalties import seller_ledger
from probandi.services.readings import get_reading
from probandi.services.review import claim_next, claim_task, decide_task, release_task

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)
STAFF = (Role.REVIEWER, Role.ADMIN)
SEVERITY_ORDER = {Severity.HARD: 0, Severity.WARNING: 1, Severity.INFO: 2}


@router.get("/queue", response_class=HTMLResponse)
def queue(
    request: Request,
    session: Signed,
    kind: Annotated[str, Query(max_length=20)] = "",
    brand: Annotated[str, Query(max_length=80)] = "",
    min_risk: Annotated[int | None, Query(ge=0, le=100)] = None,
    overdue: Annotated[str, Query(max_length=5)] = "",
) -> Response:
    actor = actor_of(session, *STAFF)
    svc = request.app.state.services
    now = svc.clock.now()
    wanted = TaskKind(kind) if kind in {k.value for k in TaskKind} else None
    f = QueueFilter(
        overdue={"yes": True, "no": False}.get(overdue),
        limit=500,
        kind=wanted,
        min_risk=min_risk,
    )
    with Session(request.app.state.read_engine) as s:
        tasks = review_queue(s, actor, f, now)
        being_read = listings_being_read(s, actor, {t.listing_id for t in tasks})
    with svc.reader() as uow:
        listings = uow.listings.get_many({t.listing_id for t in tasks})
        brands = uow.brands.list_all()
    if brand:
        tasks = [t for t in tasks if brand in listings[t.listing_id].gated_brand_ids]
    return page(
        request,
        "queue.html",
        session,
        tasks=tasks,
        being_read=being_read,
        listings=listings,
        brands=brands,
        kinds=[k.value for k in TaskKind],
        filters={"kind": kind, "brand": brand, "min_risk": min_risk, "overdue": overdue},
    )


@router.post("/queue/claim-next")
async def post_claim_next(request: Request, session: Signed) -> Response:
    await check_csrf(request, session)
    actor = actor_of(session, *STAFF)
    task = await run_in_threadpool(claim_next, actor, svc=request.app.state.services)
    if task is None:
        return go("/console/queue", "nothing")
    return go(f"/console/tasks/{task.id}", "claimed")


@router.get("/tasks/{task_id}", response_class=HTMLResponse)
def case(task_id: str, request: Request, session: Signed) -> Response:
    actor = actor_of(session, *STAFF)
    svc = request.app.state.services
    task = views.get_task(task_id, actor, svc=svc)
    view = views.get_listing(task.listing_id, actor, svc=svc)
    vouchers = views.listing_vouchers(task.listing_id, actor, svc=svc)
    for_item = None
    if task.kind is TaskKind.COUNTER_NOTICE and task.subject_id:
        with svc.reader() as uow:
            for_item = uow.notices.item_by_id(task.subject_id)
    counter_ids = set(for_item.counter.voucher_ids) if for_item and for_item.counter else set()
    if task.kind is TaskKind.RECHECK and task.subject_id:
        counter_ids = {task.subject_id}  # the approved voucher to look at again
    if counter_ids:
        vouchers = [v for v in vouchers if v.id in counter_ids] or vouchers
    appeal = (
        get_appeal(task.subject_id, actor, svc=svc)
        if task.kind is TaskKind.APPEAL and task.subject_id
        else None
    )
    matches = {v.id: _matches(request, actor, v.id) for v in vouchers}
    by_ids = {v.id: id_matches(v, actor, svc=svc) for v in vouchers}
    with svc.reader() as uow:
        others = uow.vouchers.get_many(
            {m.other_voucher_id for found in matches.values() for m in found}
            | {m.other_voucher_id for found in by_ids.values() for m in found}
        )
    findings = {
        v.id: sorted(v.findings, key=lambda f: SEVERITY_ORDER[f.severity]) for v in vouchers
    }
    readings = {v.id: reading_view(get_reading(v.id, actor, svc=svc), v) for v in vouchers}
    return page(
        request,
        "task.html",
        session,
        task=task,
        listing=view.listing,
        seller=view.seller,
        vouchers=vouchers,
        findings=findings,
        contradicted={v.id: contradicted_fields(v.findings) for v in vouchers},
        readings=readings,
        reading_pending=any(r.pending for r in readings.values()),
        matches=matches,
        id_matches=by_ids,
        others=others,
        item=for_item,
        appeal=appeal,
        statements=views.listing_statements(task.listing_id, actor, svc=svc),
        ledger=seller_ledger(task.seller_id, actor, svc=svc),
        allowed={a.value for a in allowed_task_actions(task.state)},
        mine=task.claimed_by == actor.id,
        reasons={d.value: reason_table(d, task.kind) for d in Decision},
    )


def _matches(request: Request, actor: Actor, voucher_id: str) -> list[VoucherMatch]:
    with Session(request.app.state.read_engine) as s:
        return voucher_matches(s, actor, voucher_id)


@router.post("/tasks/{task_id}/claim")
async def post_claim(task_id: str, request: Request, session: Signed) -> Response:
    await check_csrf(request, session)
    actor = actor_of(session, *STAFF)
    await run_in_threadpool(claim_task, task_id, actor, svc=request.app.state.services)
    return go(f"/console/tasks/{task_id}", "claimed")


@router.post("/tasks/{task_id}/release")
async def post_release(task_id: str, request: Request, session: Signed) -> Response:
    await check_csrf(request, session)
    actor = actor_of(session, *STAFF)
    await run_in_threadpool(release_task, task_id, actor, svc=request.app.state.services)
    return go("/console/queue", "released")


@router.post("/tasks/{task_id}/preview", response_class=HTMLResponse)
async def post_preview(task_id: str, request: Request, session: Signed) -> Response:
    """The statement of reasons the decision will send (htmx fragment)."""
    form = await check_csrf(request, session)
    actor = actor_of(session, *STAFF)
    task = views.get_task(task_id, actor, svc=request.app.state.services)
    decision = _decision(form.get("decision"))
    table = reason_table(decision, task.kind)
    code = str(form.get("reason_code", ""))
    measure, ground = decision_statement(task.kind, decision is Decision.APPROVE, code)
    return page(
        request,
        "_preview.html",
        session,
        measure=measure,
        ground=ground,
        reason=table.get(code),
        note=str(form.get("note", ""))[:2000],
    )


@router.post("/tasks/{task_id}/decision")
async def post_decision(task_id: str, request: Request, session: Signed) -> Response:
    form = await check_csrf(request, session)
    actor = actor_of(session, *STAFF)
    decision = _decision(form.get("decision"))
    version = str(form.get("version", ""))
    cmd = DecideTask(
        actor,
        task_id,
        decision,
        str(form.get("reason_code", "")),
        str(form.get("note", "")).strip()[:2000] or None,
        int(version) if version.isdigit() else None,
    )
    await run_in_threadpool(decide_task, cmd, svc=request.app.state.services)
    return go("/console/queue", "approved" if decision is Decision.APPROVE else "rejected")


def _decision(value: object) -> Decision:
    if value not in {d.value for d in Decision}:
        raise InvalidInput("choose approve or reject", field="decision")
    return Decision(str(value))
