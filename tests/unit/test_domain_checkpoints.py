"""Checkpoints against the lanes of today: truncation and rewinds show."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from probandi.domain.audit import GENESIS
from probandi.domain.checkpoints import Checkpoint, LaneHead, LaneNow, parse_document, truncations
from probandi.domain.errors import InvalidInput

AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
CP = Checkpoint(AT, (LaneHead(0, 0, GENESIS), LaneHead(1, 7, "a" * 64)), "k1")


def test_a_lane_that_grew_since_the_checkpoint_holds() -> None:
    assert truncations(CP, {0: LaneNow(3, None), 1: LaneNow(9, "a" * 64)}) == []


def test_removed_entries_with_a_rewound_head_are_reported() -> None:
    problems = truncations(CP, {0: LaneNow(0, None), 1: LaneNow(5, None)})
    assert len(problems) == 2
    assert "entry 7" in problems[0]
    assert "removed" in problems[0]
    assert "rewound from 7 to 5" in problems[1]


def test_a_rewritten_checkpointed_entry_is_reported() -> None:
    [problem] = truncations(CP, {0: LaneNow(0, None), 1: LaneNow(7, "b" * 64)})
    assert "rewritten" in problem


def test_a_missing_head_is_reported() -> None:
    [problem] = truncations(CP, {1: LaneNow(7, "a" * 64)})
    assert "lane 0: its head is missing" in problem


def test_a_document_round_trips_and_the_signature_covers_every_head() -> None:
    checkpoint, signature = parse_document(CP.document("sig"))
    assert (checkpoint, signature) == (CP, "sig")
    moved = Checkpoint(AT, (LaneHead(0, 0, GENESIS), LaneHead(1, 6, "a" * 64)), "k1")
    assert moved.signed_text() != CP.signed_text()


def test_a_document_of_another_format_is_refused() -> None:
    with pytest.raises(InvalidInput):
        parse_document({"format": "other"})
