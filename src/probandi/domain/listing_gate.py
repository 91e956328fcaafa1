"""The listing gate: a transition table that decides whether a listing may be published."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime

from probandi.domain.errors import InvalidTransition


class GateState(enum.StrEnum):
    UNGATED = "ungated"  # names no gated brand: publishable
    AWAITING_PROOF = "awaiting_proof"  # held: the seller must upload proof
    IN_REVIEW = "in_review"  # held: proof submitted, a person reviews it
    APPROVED = "approved"  # proof approved for what was approved
    REJECTED = "rejected"  # proof rejected; the seller may bring other proof
    REMOVED = "removed"  # no acceptable proof in time: off the shelf for good


class GateAction(enum.StrEnum):
    HOLD = "hold"  # screening found a gated brand
    CLEAR = "clear"  # an edit removed every gated brand
    SUBMIT_PROOF = "submit_proof"
    APPROVE = "approve"
    REJECT = "reject"
    REGATE = "regate"  # a gated aspect of an approved listing changed
    EXPIRE = "expire"  # proof deadline passed
    REMOVE = "remove"  # a reviewer or admin removes the listing


S, A = GateState, GateAction
TRANSITIONS: dict[tuple[GateState, GateAction], GateState] = {
    (S.UNGATED, A.HOLD): S.AWAITING_PROOF,
    (S.AWAITING_PROOF, A.CLEAR): S.UNGATED,
    (S.AWAITING_PROOF, A.SUBMIT_PROOF): S.IN_REVIEW,
    (S.AWAITING_PROOF, A.REJECT): S.REJECTED,
    (S.AWAITING_PROOF, A.EXPIRE): S.REMOVED,
    (S.AWAITING_PROOF, A.REMOVE): S.REMOVED,
    (S.IN_REVIEW, A.SUBMIT_PROOF): S.IN_REVIEW,
    (S.IN_REVIEW, A.APPROVE): S.APPROVED,
    (S.IN_REVIEW, A.REJECT): S.REJECTED,
    (S.IN_REVIEW, A.CLEAR): S.UNGATED,
    (S.IN_REVIEW, A.REGATE): S.AWAITING_PROOF,
    (S.IN_REVIEW, A.REMOVE): S.REMOVED,
    (S.APPROVED, A.REGATE): S.AWAITING_PROOF,
    (S.APPROVED, A.CLEAR): S.UNGATED,
    (S.APPROVED, A.REMOVE): S.REMOVED,
    (S.REJECTED, A.SUBMIT_PROOF): S.IN_REVIEW,
    (S.REJECTED, A.REJECT): S.REJECTED,
    (S.REJECTED, A.CLEAR): S.UNGATED,
    (S.REJECTED, A.EXPIRE): S.REMOVED,
    (S.REJECTED, A.REMOVE): S.REMOVED,
    (S.REJECTED, A.REGATE): S.REJECTED,
    (S.UNGATED, A.REMOVE): S.REMOVED,
}
del S, A

PUBLISHABLE = frozenset({GateState.UNGATED, GateState.APPROVED})
HELD = frozenset({GateState.AWAITING_PROOF, GateState.IN_REVIEW, GateState.REJECTED})


def allowed_actions(state: GateState) -> frozenset[GateAction]:
    """The actions the table allows from `state`; drives buttons and API hints."""
    return frozenset(action for (src, action) in TRANSITIONS if src is state)


@dataclass(frozen=True)
class GateEvent:
    """What happened to the gate, for the audit log and the outbox."""

    action: GateAction
    before: GateState
    after: GateState
    at: datetime

    @property
    def leaves_review(self) -> bool:
        """Out of review by an edit: its open task and undecided proof are void.

        Only a listing in review has an open task or vouchers awaiting a decision, so
        edits of listings in other states need not look for them.
        """
        return self.before is GateState.IN_REVIEW and self.after is not GateState.IN_REVIEW


@dataclass(frozen=True)
class Gate:
    """The gate of one listing; `version` counts transitions."""

    state: GateState = GateState.UNGATED
    version: int = 0

    @property
    def publishable(self) -> bool:
        return self.state in PUBLISHABLE

    def apply(self, action: GateAction, *, at: datetime) -> tuple[Gate, GateEvent]:
        target = TRANSITIONS.get((self.state, action))
        if target is None:
            raise InvalidTransition(
                "cannot %(action)s a listing that is %(state)s",
                state=self.state.value,
                action=action.value,
                allowed=sorted(a.value for a in allowed_actions(self.state)),
            )
        event = GateEvent(action, self.state, target, at)
        return replace(self, state=target, version=self.version + 1), event
