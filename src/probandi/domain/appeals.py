"""Appeals (internal complaints, EU DSA Art. 20): open 6 months, decided by a person who
did not make the decision appealed, never automatically."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from probandi.domain.errors import InvalidInput, InvalidTransition

MAX_STATEMENT = 5_000


class AppealSubject(enum.StrEnum):
    NOTICE_ITEM = "notice_item"  # seller: a removal on a notice; holder: a counter-notice won
    PENALTY = "penalty"  # seller: an entry of its penalty ledger
    REFUSAL = "refusal"  # holder: a listing its notice was refused for


class AppealState(enum.StrEnum):
    OPEN = "open"
    GRANTED = "granted"
    DISMISSED = "dismissed"


class AppealAction(enum.StrEnum):
    GRANT = "grant"
    DISMISS = "dismiss"


APPEAL_TRANSITIONS: dict[tuple[AppealState, AppealAction], AppealState] = {
    (AppealState.OPEN, AppealAction.GRANT): AppealState.GRANTED,
    (AppealState.OPEN, AppealAction.DISMISS): AppealState.DISMISSED,
}


@dataclass(frozen=True)
class Appeal:
    id: str
    subject: AppealSubject
    subject_id: str
    appellant: str  # "seller:<id>" or "rights_holder:<id>"
    listing_id: str
    statement: str
    created_at: datetime
    decision_at: datetime  # when the appealed decision was made
    original_decider: str | None  # actor id of the appealed decision; None: automated
    state: AppealState = AppealState.OPEN
    task_id: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    reason_code: str | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        if not self.statement.strip() or len(self.statement) > MAX_STATEMENT:
            raise InvalidInput(
                "statement must be 1-%(MAX_STATEMENT)s characters",
                field="statement",
                params={"MAX_STATEMENT": MAX_STATEMENT},
            )

    def decide(
        self, action: AppealAction, *, by: str, at: datetime, reason_code: str, note: str | None
    ) -> Appeal:
        target = APPEAL_TRANSITIONS.get((self.state, action))
        if target is None:
            raise InvalidTransition(
                "cannot %(action)s an appeal that is %(state)s",
                state=self.state.value,
                params={"action": action.value},
            )
        return replace(
            self, state=target, decided_by=by, decided_at=at, reason_code=reason_code, note=note
        )


def check_window(decision_at: datetime, *, now: datetime, window_days: int) -> None:
    """An appeal is open for `window_days` after the decision (6 months by default)."""
    if now > decision_at + timedelta(days=window_days):
        raise InvalidInput(
            "the appeal window of %(window_days)s days after the decision has passed",
            field="subject_id",
            params={"window_days": window_days},
        )
