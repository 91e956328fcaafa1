"""ReviewTask: claims with leases, one reviewer at a time, decisions with stated reasons."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from probandi.domain.errors import Conflict, InvalidInput, InvalidTransition
from probandi.domain.review import (
    APPROVE_REASONS,
    REJECT_REASONS,
    TASK_TRANSITIONS,
    Decision,
    ReviewTask,
    TaskAction,
    TaskState,
    allowed_task_actions,
    check_reason,
)
from tests.unit.builders import MONDAY_9AM, a_review_task

LEASE = timedelta(minutes=15)
T0 = MONDAY_9AM
ALICE, BOB = "alice", "bob"


def claimed_by_alice() -> ReviewTask:
    return a_review_task().claim(ALICE, now=T0, lease=LEASE)


def test_claiming_an_open_task_gives_the_reviewer_a_lease() -> None:
    task = claimed_by_alice()
    assert task.state is TaskState.CLAIMED
    assert task.claimed_by == ALICE
    assert task.lease_expires_at == T0 + LEASE


def test_another_reviewer_cannot_claim_a_task_under_a_live_lease() -> None:
    with pytest.raises(Conflict) as raised:
        claimed_by_alice().claim(BOB, now=T0 + LEASE - timedelta(seconds=1), lease=LEASE)
    assert raised.value.details["claimed_by"] == ALICE


def test_the_holder_may_renew_a_live_lease() -> None:
    renewed = claimed_by_alice().claim(ALICE, now=T0 + timedelta(minutes=10), lease=LEASE)
    assert renewed.lease_expires_at == T0 + timedelta(minutes=25)


@pytest.mark.parametrize("after", [LEASE, LEASE + timedelta(hours=3)])
def test_an_expired_lease_can_be_claimed_by_another_reviewer(after: timedelta) -> None:
    task = claimed_by_alice().claim(BOB, now=T0 + after, lease=LEASE)
    assert task.claimed_by == BOB
    assert task.lease_expires_at == T0 + after + LEASE


def test_the_holder_decides_within_the_lease() -> None:
    now = T0 + timedelta(minutes=5)
    task = claimed_by_alice().decide(ALICE, Decision.APPROVE, "proof_sufficient", "ok", now=now)
    assert task.state is TaskState.DECIDED
    assert (task.decision, task.reason_code, task.note) == (
        Decision.APPROVE,
        "proof_sufficient",
        "ok",
    )
    assert (task.decided_by, task.decided_at, task.lease_expires_at) == (ALICE, now, None)


def test_a_reviewer_without_the_claim_cannot_decide() -> None:
    with pytest.raises(Conflict, match="claim the task before deciding"):
        claimed_by_alice().decide(BOB, Decision.REJECT, "other", "no", now=T0)


def test_the_holder_cannot_decide_once_the_lease_has_expired() -> None:
    with pytest.raises(Conflict, match="expired"):
        claimed_by_alice().decide(ALICE, Decision.APPROVE, "proof_sufficient", None, now=T0 + LEASE)


def test_the_former_holder_cannot_decide_after_another_reviewer_took_over() -> None:
    taken = claimed_by_alice().claim(BOB, now=T0 + LEASE, lease=LEASE)
    with pytest.raises(Conflict):
        taken.decide(ALICE, Decision.APPROVE, "proof_sufficient", None, now=T0 + LEASE)


def test_an_open_task_cannot_be_decided_without_a_claim() -> None:
    with pytest.raises(InvalidTransition):
        a_review_task().decide(ALICE, Decision.APPROVE, "proof_sufficient", None, now=T0)


def test_a_decided_task_cannot_be_claimed_or_decided_again() -> None:
    decided = claimed_by_alice().decide(ALICE, Decision.REJECT, "other", "see note", now=T0)
    with pytest.raises(InvalidTransition):
        decided.claim(BOB, now=T0, lease=LEASE)
    with pytest.raises(InvalidTransition):
        decided.decide(ALICE, Decision.APPROVE, "proof_sufficient", None, now=T0)


@pytest.mark.parametrize("reason", sorted(APPROVE_REASONS))
def test_every_approve_reason_is_accepted_for_approval(reason: str) -> None:
    task = claimed_by_alice().decide(ALICE, Decision.APPROVE, reason, None, now=T0)
    assert task.reason_code == reason


@pytest.mark.parametrize("reason", sorted(REJECT_REASONS))
def test_every_reject_reason_is_accepted_for_rejection(reason: str) -> None:
    assert check_reason(Decision.REJECT, reason) == REJECT_REASONS[reason]


@pytest.mark.parametrize(
    ("decision", "reason"),
    [
        (Decision.APPROVE, "suspected_forgery"),
        (Decision.APPROVE, "other"),
        (Decision.REJECT, "proof_sufficient"),
        (Decision.REJECT, ""),
        (Decision.REJECT, "INSUFFICIENT_PROOF"),
    ],
)
def test_a_reason_not_listed_for_the_decision_is_refused(decision: Decision, reason: str) -> None:
    task = claimed_by_alice()
    with pytest.raises(InvalidInput) as raised:
        task.decide(ALICE, decision, reason, None, now=T0)
    assert raised.value.details == {"field": "reason_code"}


def test_approve_and_reject_reasons_do_not_share_a_code() -> None:
    assert set(APPROVE_REASONS).isdisjoint(REJECT_REASONS)


def test_the_holder_may_release_the_task_back_to_the_queue() -> None:
    released = claimed_by_alice().release(ALICE, now=T0 + timedelta(minutes=1))
    assert released.state is TaskState.OPEN
    assert (released.claimed_by, released.lease_expires_at) == (None, None)
    assert released.claim(BOB, now=T0 + timedelta(minutes=2), lease=LEASE).claimed_by == BOB


def test_another_reviewer_cannot_release_a_task() -> None:
    with pytest.raises(Conflict):
        claimed_by_alice().release(BOB, now=T0)


@pytest.mark.parametrize("task_factory", [a_review_task, claimed_by_alice])
def test_an_open_or_claimed_task_can_be_cancelled(task_factory: Callable[[], ReviewTask]) -> None:
    cancelled = task_factory().cancel()
    assert cancelled.state is TaskState.CANCELLED
    assert cancelled.lease_expires_at is None
    with pytest.raises(InvalidTransition):
        cancelled.claim(ALICE, now=T0, lease=LEASE)


@pytest.mark.parametrize("state", list(TaskState))
def test_allowed_task_actions_match_the_table(state: TaskState) -> None:
    for action in TaskAction:
        assert (action in allowed_task_actions(state)) == ((state, action) in TASK_TRANSITIONS)


def test_an_open_or_claimed_task_past_its_due_time_is_overdue() -> None:
    task = a_review_task()
    assert not task.is_overdue(now=task.due_at)
    assert task.is_overdue(now=task.due_at + timedelta(seconds=1))
    assert claimed_by_alice().is_overdue(now=task.due_at + timedelta(days=1))
    decided = claimed_by_alice().decide(ALICE, Decision.APPROVE, "proof_sufficient", None, now=T0)
    assert not decided.is_overdue(now=task.due_at + timedelta(days=1))


# --- properties --------------------------------------------------------------------------

OFFSETS = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=2))


@given(OFFSETS)
def test_another_reviewer_may_claim_exactly_when_the_lease_has_run_out(after: timedelta) -> None:
    task = claimed_by_alice()
    now = T0 + after
    if after < LEASE:
        with pytest.raises(Conflict):
            task.claim(BOB, now=now, lease=LEASE)
    else:
        assert task.claim(BOB, now=now, lease=LEASE).claimed_by == BOB


@given(OFFSETS)
def test_the_holder_may_decide_exactly_while_no_one_else_may_claim(after: timedelta) -> None:
    task, now = claimed_by_alice(), T0 + after
    may_decide = True
    try:
        task.decide(ALICE, Decision.APPROVE, "proof_sufficient", None, now=now)
    except Conflict:
        may_decide = False
    assert may_decide is task.lease_held_by_other(BOB, now)
