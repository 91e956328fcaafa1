"""The review queue: list, claim, release, decide."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import Session

from probandi.domain.commands import DecideTask
from probandi.domain.review import Decision, ReviewTask, TaskKind, TaskState
from probandi.entrypoints.api.deps import CurrentActor, Svc
from probandi.entrypoints.api.schemas import (
    DecisionIn,
    DecisionOut,
    ListingOut,
    StatementOut,
    TaskOut,
    TaskPage,
)
from probandi.queries.review_queue import QueueFilter, review_queue
from probandi.services import views
from probandi.services.context import Services
from probandi.services.readings import task_readings
from probandi.services.review import claim_next, claim_task, decide_task, release_task

router = APIRouter(prefix="/v1/review", tags=["review"])


@router.get("/tasks", response_model=TaskPage)
def list_tasks(
    request: Request,
    actor: CurrentActor,
    svc: Svc,
    state: TaskState | None = None,
    overdue: bool | None = None,
    listing_id: str | None = None,
    kind: TaskKind | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> TaskPage:
    """Open and claimed tasks by deadline, then risk (highest first); `kind` filters (e.g.
    `recheck`: approved vouchers to look at again)."""
    now = svc.clock.now()
    with Session(request.app.state.read_engine) as session:
        f = QueueFilter(state, overdue, listing_id, limit, kind=kind)
        tasks = review_queue(session, actor, f, now)
    reading = task_readings(tasks, svc=svc)
    return TaskPage(items=[TaskOut.from_domain(t, now, reading[t.id]) for t in tasks])


@router.get("/tasks/{task_id}", response_model=TaskOut)
def get_task(task_id: str, actor: CurrentActor, svc: Svc) -> TaskOut:
    return _task_out(views.get_task(task_id, actor, svc=svc), svc)


def _task_out(task: ReviewTask, svc: Services) -> TaskOut:
    return TaskOut.from_domain(task, svc.clock.now(), task_readings([task], svc=svc)[task.id])


@router.post(
    "/tasks/claim-next",
    response_model=TaskOut,
    responses={204: {"description": "nothing to claim"}},
)
def post_claim_next(actor: CurrentActor, svc: Svc) -> TaskOut | Response:
    """Claim the most urgent task (a lease of 15 minutes by default)."""
    task = claim_next(actor, svc=svc)
    if task is None:
        return Response(status_code=204)
    return _task_out(task, svc)


@router.post("/tasks/{task_id}/claim", response_model=TaskOut)
def post_claim(task_id: str, actor: CurrentActor, svc: Svc) -> TaskOut:
    return _task_out(claim_task(task_id, actor, svc=svc), svc)


@router.post("/tasks/{task_id}/release", response_model=TaskOut)
def post_release(task_id: str, actor: CurrentActor, svc: Svc) -> TaskOut:
    return _task_out(release_task(task_id, actor, svc=svc), svc)


@router.post("/tasks/{task_id}/decision", response_model=DecisionOut)
def post_decision(task_id: str, body: DecisionIn, actor: CurrentActor, svc: Svc) -> DecisionOut:
    """Approve or reject with a reason code; a rejection writes a statement of reasons.

    Send the task `version` you saw: if another reviewer decided first, you get a 409.
    """
    result = decide_task(
        DecideTask(
            actor, task_id, Decision(body.decision), body.reason_code, body.note, body.version
        ),
        svc=svc,
    )
    view = views.get_listing(result.listing.id, actor, svc=svc)
    return DecisionOut(
        task=TaskOut.from_domain(result.task, svc.clock.now()),
        listing=ListingOut.from_domain(view.listing, view.seller),
        statement=StatementOut.from_domain(result.statement) if result.statement else None,
    )
