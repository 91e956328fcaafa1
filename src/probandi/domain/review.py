"""The human review queue: tasks, leases and decisions as a transition table."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from probandi.domain.errors import Conflict, Forbidden, InvalidInput, InvalidTransition
from probandi.domain.locales import N_


class TaskState(enum.StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    DECIDED = "decided"
    CANCELLED = "cancelled"  # the listing left the gate before a decision


class TaskAction(enum.StrEnum):
    CLAIM = "claim"
    RELEASE = "release"
    DECIDE = "decide"
    CANCEL = "cancel"
    REOPEN = "reopen"  # new evidence arrived: whoever holds it must look again


TASK_TRANSITIONS: dict[tuple[TaskState, TaskAction], TaskState] = {
    (TaskState.OPEN, TaskAction.CLAIM): TaskState.CLAIMED,
    (TaskState.CLAIMED, TaskAction.CLAIM): TaskState.CLAIMED,  # only once the lease expired
    (TaskState.CLAIMED, TaskAction.RELEASE): TaskState.OPEN,
    (TaskState.CLAIMED, TaskAction.REOPEN): TaskState.OPEN,
    (TaskState.OPEN, TaskAction.REOPEN): TaskState.OPEN,
    (TaskState.CLAIMED, TaskAction.DECIDE): TaskState.DECIDED,
    (TaskState.OPEN, TaskAction.CANCEL): TaskState.CANCELLED,
    (TaskState.CLAIMED, TaskAction.CANCEL): TaskState.CANCELLED,
}


class TaskKind(enum.StrEnum):
    PROOF = "proof"  # a held listing's proof (the gate)
    COUNTER_NOTICE = "counter_notice"  # a seller's proof against a notice
    APPEAL = "appeal"  # an internal complaint against a decision
    RECHECK = "recheck"  # an approved voucher to look at again (new evidence against it)


class Decision(enum.StrEnum):
    APPROVE = "approve"  # for an appeal: grant it
    REJECT = "reject"  # for an appeal: dismiss it


APPROVE_REASONS = {
    "proof_sufficient": N_("the proof shows the goods were sourced genuinely"),
    "authorized_distributor": N_("the goods were bought from an authorized distributor"),
    "brand_authorization_verified": N_("the brand's authorization of this shop was verified"),
    "foreign_purchase_verified": N_("the foreign purchase was verified"),
}
REJECT_REASONS = {
    "insufficient_proof": N_("the proof does not show the goods are genuine"),
    "document_illegible": N_("the document cannot be read"),
    "buyer_mismatch": N_("the document was not issued to this shop"),
    "brand_not_covered": N_("the document does not cover this brand"),
    "quantity_insufficient": N_("the document does not cover the listed quantity"),
    "suspected_forgery": N_("the document shows signs of forgery"),
    "issuer_not_credible": N_("the issuer is not a credible source of genuine goods"),
    "other": N_("other reasons, stated in the note"),
}


GRANT_REASONS = {
    "decision_wrong": N_("the decision appealed was wrong on the facts"),
    "new_evidence": N_("new evidence shows the decision should not stand"),
    "disproportionate": N_("the measure was disproportionate"),
}
DISMISS_REASONS = {
    "decision_correct": N_("the decision appealed was correct"),
    "insufficient_grounds": N_("the appeal gives no grounds to change the decision"),
}


def allowed_task_actions(state: TaskState) -> frozenset[TaskAction]:
    return frozenset(action for (src, action) in TASK_TRANSITIONS if src is state)


# A recheck: approve keeps the approval, reject takes it back.
KEEP_REASONS = {
    "approval_stands": N_("the document was checked again and the approval stands"),
    "legitimate_template": N_("the shared layout is a legitimate template, not a forgery"),
}
REVOKE_REASONS = {
    "forgery_template": N_("the document was made on a forgery template shared by other shops"),
    "suspected_forgery": N_("the document shows signs of forgery"),
    "recycled_document": N_("the document is another seller's, submitted again"),
    "other": N_("other reasons, stated in the note"),
}


def reason_table(decision: Decision, kind: TaskKind = TaskKind.PROOF) -> dict[str, str]:
    approve = decision is Decision.APPROVE
    if kind is TaskKind.APPEAL:
        return GRANT_REASONS if approve else DISMISS_REASONS
    if kind is TaskKind.RECHECK:
        return KEEP_REASONS if approve else REVOKE_REASONS
    return APPROVE_REASONS if approve else REJECT_REASONS


def check_reason(decision: Decision, reason_code: str, kind: TaskKind = TaskKind.PROOF) -> str:
    """Return the reason's text, or refuse a code not allowed for this decision."""
    table = reason_table(decision, kind)
    if reason_code not in table:
        raise InvalidInput(
            "reason_code must be one of %(table)s for %(decision)s",
            field="reason_code",
            params={"table": ", ".join(sorted(table)), "decision": decision.value},
        )
    return table[reason_code]


@dataclass(frozen=True)
class ReviewTask:
    """A listing's proof waiting for a person; `version` guards concurrent decisions."""

    id: str
    listing_id: str
    seller_id: str
    created_at: datetime
    due_at: datetime
    risk: int = 0
    kind: TaskKind = TaskKind.PROOF
    subject_id: str | None = None  # the notice item or appeal the task decides
    excluded_reviewer: str | None = None  # an appeal's original decider may not decide it
    state: TaskState = TaskState.OPEN
    claimed_by: str | None = None
    lease_expires_at: datetime | None = None
    decision: Decision | None = None
    reason_code: str | None = None
    note: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    sla_breached: bool = False
    version: int = 1

    def _move(self, action: TaskAction) -> TaskState:
        target = TASK_TRANSITIONS.get((self.state, action))
        if target is None:
            raise InvalidTransition(
                "cannot %(action)s a task that is %(state)s",
                state=self.state.value,
                params={"action": action.value},
            )
        return target

    def lease_held_by_other(self, reviewer: str, now: datetime) -> bool:
        return (
            self.state is TaskState.CLAIMED
            and self.claimed_by != reviewer
            and self.lease_expires_at is not None
            and self.lease_expires_at > now
        )

    def claim(self, reviewer: str, *, now: datetime, lease: timedelta) -> ReviewTask:
        target = self._move(TaskAction.CLAIM)
        if reviewer == self.excluded_reviewer:
            raise Forbidden(
                "an appeal is decided by a reviewer other than the one who made the decision",
                code="same_reviewer",
            )
        if self.lease_held_by_other(reviewer, now):
            raise Conflict(
                "another reviewer holds this task",
                claimed_by=self.claimed_by,
                lease_expires_at=str(self.lease_expires_at),
            )
        return replace(self, state=target, claimed_by=reviewer, lease_expires_at=now + lease)

    def release(self, reviewer: str, *, now: datetime) -> ReviewTask:
        target = self._move(TaskAction.RELEASE)
        self._require_lease(reviewer, now)
        return replace(self, state=target, claimed_by=None, lease_expires_at=None)

    def decide(
        self,
        reviewer: str,
        decision: Decision,
        reason_code: str,
        note: str | None,
        *,
        now: datetime,
    ) -> ReviewTask:
        target = self._move(TaskAction.DECIDE)
        self._require_lease(reviewer, now)
        check_reason(decision, reason_code, self.kind)
        return replace(
            self,
            state=target,
            decision=decision,
            reason_code=reason_code,
            note=note,
            decided_by=reviewer,
            decided_at=now,
            lease_expires_at=None,
        )

    def reopen(self, *, risk: int) -> ReviewTask:
        """New evidence: the claim ends, so no decision covers vouchers nobody looked at."""
        target = self._move(TaskAction.REOPEN)
        return replace(
            self, state=target, claimed_by=None, lease_expires_at=None, risk=max(risk, self.risk)
        )

    def cancel(self) -> ReviewTask:
        return replace(self, state=self._move(TaskAction.CANCEL), lease_expires_at=None)

    def _require_lease(self, reviewer: str, now: datetime) -> None:
        if self.claimed_by != reviewer:
            raise Conflict("claim the task before deciding it", claimed_by=self.claimed_by)
        if self.lease_expires_at is None or self.lease_expires_at <= now:
            raise Conflict("your claim on this task has expired; claim it again")

    def is_overdue(self, *, now: datetime) -> bool:
        return self.state in (TaskState.OPEN, TaskState.CLAIMED) and self.due_at < now
