"""The listing gate's transition table: the only way a listing's state moves."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from probandi.domain.errors import InvalidTransition
from probandi.domain.listing_gate import (
    HELD,
    PUBLISHABLE,
    TRANSITIONS,
    Gate,
    GateAction,
    GateState,
    allowed_actions,
)
from tests.unit.builders import MONDAY_9AM

ALL_PAIRS = list(itertools.product(GateState, GateAction))
FORBIDDEN_PAIRS = [pair for pair in ALL_PAIRS if pair not in TRANSITIONS]


@given(st.sampled_from(FORBIDDEN_PAIRS))
def test_every_action_missing_from_the_table_is_refused(
    pair: tuple[GateState, GateAction],
) -> None:
    state, action = pair
    with pytest.raises(InvalidTransition) as raised:
        Gate(state=state, version=3).apply(action, at=MONDAY_9AM)
    assert raised.value.details["state"] == state.value
    assert raised.value.details["action"] == action.value
    assert raised.value.details["allowed"] == sorted(a.value for a in allowed_actions(state))


@pytest.mark.parametrize(("state", "action"), FORBIDDEN_PAIRS)
def test_refused_action_names_itself_and_the_state(state: GateState, action: GateAction) -> None:
    with pytest.raises(InvalidTransition, match=f"cannot {action.value} a listing that is"):
        Gate(state=state).apply(action, at=MONDAY_9AM)


@given(st.sampled_from(sorted(TRANSITIONS)), st.integers(min_value=0, max_value=10_000))
def test_every_action_in_the_table_moves_to_its_target_and_counts_a_version(
    pair: tuple[GateState, GateAction], version: int
) -> None:
    state, action = pair
    gate = Gate(state=state, version=version)
    moved, event = gate.apply(action, at=MONDAY_9AM)
    assert moved.state is TRANSITIONS[pair]
    assert moved.version == version + 1
    assert (event.action, event.before, event.after, event.at) == (
        action,
        state,
        TRANSITIONS[pair],
        MONDAY_9AM,
    )


def test_applying_an_action_leaves_the_original_gate_untouched() -> None:
    gate = Gate()
    gate.apply(GateAction.HOLD, at=MONDAY_9AM)
    assert gate == Gate(GateState.UNGATED, 0)


@pytest.mark.parametrize("state", list(GateState))
def test_allowed_actions_are_exactly_the_table_rows_of_the_state(state: GateState) -> None:
    expected = {action for (src, action) in TRANSITIONS if src is state}
    assert allowed_actions(state) == expected
    for action in GateAction:
        assert (action in allowed_actions(state)) == ((state, action) in TRANSITIONS)


def test_a_removed_listing_allows_no_action_at_all() -> None:
    assert allowed_actions(GateState.REMOVED) == frozenset()


def test_an_approved_listing_may_be_regated_cleared_or_removed() -> None:
    assert allowed_actions(GateState.APPROVED) == {
        GateAction.REGATE,
        GateAction.CLEAR,
        GateAction.REMOVE,
    }


@pytest.mark.parametrize("state", list(GateState))
def test_only_ungated_and_approved_listings_are_publishable(state: GateState) -> None:
    expected = state in (GateState.UNGATED, GateState.APPROVED)
    assert Gate(state=state).publishable is expected


def test_publishable_and_held_states_do_not_overlap_and_leave_only_removed() -> None:
    assert PUBLISHABLE.isdisjoint(HELD)
    assert set(GateState) - PUBLISHABLE - HELD == {GateState.REMOVED}


def test_a_new_gate_is_ungated_at_version_zero() -> None:
    assert Gate() == Gate(GateState.UNGATED, 0)


def test_the_happy_path_from_hold_to_approval_counts_three_versions() -> None:
    gate = Gate()
    for action in (GateAction.HOLD, GateAction.SUBMIT_PROOF, GateAction.APPROVE):
        gate, _ = gate.apply(action, at=MONDAY_9AM)
    assert gate == Gate(GateState.APPROVED, 3)
    assert gate.publishable


@given(st.lists(st.sampled_from(list(GateAction)), max_size=30))
def test_version_counts_exactly_the_accepted_actions(actions: list[GateAction]) -> None:
    gate, accepted = Gate(), 0
    for action in actions:
        try:
            gate, _ = gate.apply(action, at=MONDAY_9AM)
        except InvalidTransition:
            continue
        accepted += 1
    assert gate.version == accepted
