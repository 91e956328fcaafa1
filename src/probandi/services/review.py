"""Use cases of the review queue: claim, release, decide."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from probandi.domain.actors import Actor, Role
from probandi.domain.commands import DecideTask
from probandi.domain.errors import Conflict, NotFound
from probandi.domain.listing_gate import GateAction, GateState
from probandi.domain.listings import ApprovedTerms, Listing
from probandi.domain.review import Decision, ReviewTask, TaskKind, check_reason
from probandi.domain.statements import (
    APPROVAL_REVOKED,
    APPROVAL_REVOKED_PROOF_STANDS,
    PROOF_REJECTED,
    StatementOfReasons,
    facts_from_findings,
    redress_text,
    worded,
)
from probandi.domain.text import Wording, quote, say
from probandi.domain.vouchers import VoucherAction, VoucherStatus
from probandi.services.access import require_role
from probandi.services.appeals import decide_appeal
from probandi.services.context import Services
from probandi.services.events import (
    issue_statement,
    publish_voucher,
    record,
    record_gate_event,
)
from probandi.services.notices import decide_counter_notice
from probandi.services.ports import UnitOfWork
from probandi.services.readings import require_read, task_vouchers
from probandi.services.vouchers import fresh_deadline


@dataclass(frozen=True)
class DecisionResult:
    task: ReviewTask
    listing: Listing
    statement: StatementOfReasons | None


def _task(uow: UnitOfWork, task_id: str) -> ReviewTask:
    task = uow.tasks.get(task_id)
    if task is None:
        raise NotFound("no review task %(task_id)r", task_id=task_id)
    return task


def claim_task(task_id: str, actor: Actor, *, svc: Services) -> ReviewTask:
    """Take a lease on one task; a task held by another reviewer is a 409."""
    require_role(actor, Role.REVIEWER, Role.ADMIN)
    with svc.uow() as uow:
        now = svc.clock.now()
        task = uow.tasks.save(
            _task(uow, task_id).claim(actor.id, now=now, lease=svc.policy.review_lease)
        )
        record(
            uow,
            actor,
            "review:task:claimed",
            f"task:{task.id}",
            now,
            lease_expires_at=str(task.lease_expires_at),
        )
        uow.commit()
    return task


def claim_next(actor: Actor, *, svc: Services) -> ReviewTask | None:
    """Claim the most urgent claimable task: earliest deadline, then highest risk."""
    require_role(actor, Role.REVIEWER, Role.ADMIN)
    for _attempt in range(5):
        with svc.reader() as uow:
            candidate = uow.tasks.next_claimable(svc.clock.now(), actor.id)
        if candidate is None:
            return None
        try:
            return claim_task(candidate.id, actor, svc=svc)
        except Conflict:
            continue  # another reviewer won this one; try the next
    return None


def release_task(task_id: str, actor: Actor, *, svc: Services) -> ReviewTask:
    require_role(actor, Role.REVIEWER, Role.ADMIN)
    with svc.uow() as uow:
        now = svc.clock.now()
        task = uow.tasks.save(_task(uow, task_id).release(actor.id, now=now))
        record(uow, actor, "review:task:released", f"task:{task.id}", now)
        uow.commit()
    return task


def decide_task(cmd: DecideTask, *, svc: Services) -> DecisionResult:
    """Decide a task: a listing's proof, a counter-notice or an appeal, by its kind."""
    require_role(cmd.actor, Role.REVIEWER, Role.ADMIN)
    with svc.uow() as uow:
        now = svc.clock.now()
        task = _task(uow, cmd.task_id)
        reason_text = check_reason(cmd.decision, cmd.reason_code, task.kind)
        if cmd.version is not None and cmd.version != task.version:
            raise Conflict("the task changed since you loaded it", version=task.version)
        require_read(uow, task_vouchers(uow, task))
        decided = task.decide(cmd.actor.id, cmd.decision, cmd.reason_code, cmd.note, now=now)
        decided = uow.tasks.save(decided)
        approve = cmd.decision is Decision.APPROVE
        statement = None
        if task.kind is TaskKind.PROOF:
            listing, statement = _decide_proof(uow, svc, cmd, task, reason_text, now)
        elif task.kind is TaskKind.RECHECK:
            listing, statement = _decide_recheck(uow, svc, cmd, task, reason_text, now)
        else:
            if task.kind is TaskKind.COUNTER_NOTICE:
                decide_counter_notice(
                    uow,
                    svc,
                    cmd.actor,
                    task,
                    approve=approve,
                    reason_code=cmd.reason_code,
                    reason_text=reason_text,
                    now=now,
                )
            else:
                decide_appeal(
                    uow,
                    svc,
                    cmd.actor,
                    task,
                    grant=approve,
                    reason_code=cmd.reason_code,
                    note=cmd.note,
                    now=now,
                )
            found = uow.listings.get(task.listing_id)
            assert found is not None
            listing = found
        record(
            uow,
            cmd.actor,
            "review:decision:" + ("approved" if approve else "rejected"),
            f"task:{task.id}",
            now,
            kind=task.kind.value,
            reason_code=cmd.reason_code,
            note=cmd.note,
            statement_id=statement.id if statement else None,
        )
        uow.commit()
    return DecisionResult(decided, listing, statement)


def _decide_proof(
    uow: UnitOfWork,
    svc: Services,
    cmd: DecideTask,
    task: ReviewTask,
    reason_text: str,
    now: datetime,
) -> tuple[Listing, StatementOfReasons | None]:
    """A held listing's proof: approve or reject, with a statement for a rejection."""
    listing = uow.listings.get(task.listing_id)
    seller = uow.sellers.get(task.seller_id)
    assert listing is not None
    assert seller is not None
    approve = cmd.decision is Decision.APPROVE
    listing, event = listing.transition(
        GateAction.APPROVE if approve else GateAction.REJECT, at=now
    )
    if not approve:
        listing = replace(listing, proof_due_at=fresh_deadline(listing.proof_due_at, now, svc))
    if approve:
        listing = replace(
            listing,
            approved_terms=ApprovedTerms.of(listing, svc.policy.approved_price_band),
            proof_due_at=None,
        )
    uow.listings.save(listing)
    action = VoucherAction.APPROVE if approve else VoucherAction.REJECT
    decided = []
    for voucher in uow.vouchers.for_listing(listing.id):
        if voucher.status is VoucherStatus.PENDING_REVIEW:
            decided.append(voucher.apply(action, at=now))
            uow.vouchers.save(decided[-1])
    voucher_ids = [v.id for v in decided]
    statement = None
    if not approve:
        statement = _statement(
            uow,
            svc,
            cmd,
            listing,
            measure=PROOF_REJECTED,
            scope=f"listing {listing.id} ({listing.content.title})",
            reason_text=reason_text,
            now=now,
        )
    for voucher in decided:
        publish_voucher(
            uow,
            voucher,
            now,
            decided_by=cmd.actor,
            statement_id=statement.id if statement else None,
            reason_codes=[cmd.reason_code] if cmd.reason_code else [],
        )
    record_gate_event(
        uow,
        cmd.actor,
        listing,
        seller,
        event,
        task_id=task.id,
        reason_code=cmd.reason_code,
        vouchers=voucher_ids,
        statement_id=statement.id if statement else None,
    )
    return listing, statement


def _decide_recheck(
    uow: UnitOfWork,
    svc: Services,
    cmd: DecideTask,
    task: ReviewTask,
    reason_text: str,
    now: datetime,
) -> tuple[Listing, StatementOfReasons | None]:
    """An approved voucher looked at again: approve keeps the approval; reject revokes the
    voucher, and holds the listing again when no other approved proof is left."""
    listing = uow.listings.get(task.listing_id)
    seller = uow.sellers.get(task.seller_id)
    voucher = uow.vouchers.get(task.subject_id or "")
    assert listing is not None
    assert seller is not None
    assert voucher is not None
    if cmd.decision is Decision.APPROVE or voucher.status is not VoucherStatus.APPROVED:
        return listing, None
    revoked = voucher.apply(VoucherAction.REVOKE, at=now)
    uow.vouchers.save(revoked)
    standing = [
        v
        for v in uow.vouchers.for_listing(listing.id)
        if v.status is VoucherStatus.APPROVED and v.id != voucher.id
    ]
    statement = _statement(
        uow,
        svc,
        cmd,
        listing,
        measure=APPROVAL_REVOKED if not standing else APPROVAL_REVOKED_PROOF_STANDS,
        scope=f"listing {listing.id} ({listing.content.title}); voucher {voucher.id}",
        reason_text=reason_text,
        evidence=facts_from_findings(voucher.findings),
        now=now,
        voucher_id=voucher.id,
    )
    publish_voucher(
        uow,
        revoked,
        now,
        decided_by=cmd.actor,
        statement_id=statement.id,
        reason_codes=[cmd.reason_code] if cmd.reason_code else [],
    )
    if not standing and listing.gate.state is GateState.APPROVED:
        listing, event = listing.regate(at=now, proof_due_at=fresh_deadline(None, now, svc))
        uow.listings.save(listing)
        record_gate_event(
            uow,
            cmd.actor,
            listing,
            seller,
            event,
            task_id=task.id,
            reason_code=cmd.reason_code,
            vouchers=[voucher.id],
            statement_id=statement.id,
        )
    return listing, statement


def _statement(
    uow: UnitOfWork,
    svc: Services,
    cmd: DecideTask,
    listing: Listing,
    *,
    measure: str,
    scope: str,
    reason_text: str,
    now: datetime,
    evidence: tuple[Wording, ...] = (),
    voucher_id: str | None = None,
) -> StatementOfReasons:
    """A reviewer's statement of reasons on a listing's proof, issued: the reason, the
    reviewer's note, then `evidence`."""
    statement = worded(
        id=uuid.uuid4().hex,
        listing_id=listing.id,
        seller_id=listing.seller_id,
        measure=measure,
        scope=scope,
        facts=(reason_text, *((quote(cmd.note),) if cmd.note else ()), *evidence),
        ground=say("probandi proof policy: %(code)s", code=cmd.reason_code),
        automated=False,
        redress=redress_text(now, svc.policy.appeal_window_days),
        created_at=now,
        decided_by=cmd.actor.label,
        voucher_id=voucher_id,
    )
    issue_statement(uow, cmd.actor, statement)
    return statement
