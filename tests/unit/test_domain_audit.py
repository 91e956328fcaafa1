"""The hash-chained audit log: a built chain verifies; any altered entry is named."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from probandi.domain.audit import (
    GENESIS,
    AuditEntry,
    ChainBreak,
    SealedEntry,
    canonical,
    chain_hash,
    verify_chain,
)
from tests.unit.builders import MONDAY_9AM

CONTENT = "content does not match its hash"
PREV = "prev_hash does not match the previous entry"


def an_entry(n: int = 0, **overrides: Any) -> AuditEntry:
    entry = AuditEntry(
        at=MONDAY_9AM + timedelta(minutes=n),
        actor="reviewer:alice",
        tag="listing:gate:held",
        subject=f"listing-{n}",
        data={"brand": "Gucci", "n": n},
    )
    return replace(entry, **overrides)


def seal(entries: Sequence[AuditEntry]) -> list[SealedEntry]:
    """Append entries as the store does: seq from 1, each hash over the previous one."""
    sealed: list[SealedEntry] = []
    prev = GENESIS
    for seq, entry in enumerate(entries, start=1):
        digest = chain_hash(prev, entry)
        sealed.append(SealedEntry(seq, entry, prev, digest))
        prev = digest
    return sealed


def a_chain(length: int = 5) -> list[SealedEntry]:
    return seal([an_entry(n) for n in range(length)])


def test_a_built_chain_verifies_in_full() -> None:
    assert verify_chain(a_chain(5)) == (5, None)


def test_an_empty_chain_verifies() -> None:
    assert verify_chain([]) == (0, None)


def test_the_first_entry_hangs_off_the_genesis_hash() -> None:
    [first] = a_chain(1)
    assert first.prev_hash == GENESIS == "0" * 64
    assert first.hash == chain_hash(GENESIS, first.entry)
    assert len(first.hash) == 64


def test_changed_content_is_named_at_the_altered_entry() -> None:
    chain = a_chain(5)
    chain[2] = replace(chain[2], entry=replace(chain[2].entry, data={"brand": "Prada", "n": 2}))
    assert verify_chain(chain) == (2, ChainBreak(3, CONTENT))


def test_a_changed_prev_hash_is_named_at_the_altered_entry() -> None:
    chain = a_chain(5)
    chain[3] = replace(chain[3], prev_hash="f" * 64)
    assert verify_chain(chain) == (3, ChainBreak(4, PREV))


def test_a_resealed_entry_breaks_the_chain_at_the_next_entry() -> None:
    # A forger who rewrites an entry and recomputes its hash still breaks its successor.
    chain = a_chain(5)
    forged = replace(chain[1].entry, actor="admin:mallory")
    chain[1] = replace(chain[1], entry=forged, hash=chain_hash(chain[1].prev_hash, forged))
    assert verify_chain(chain) == (2, ChainBreak(3, PREV))


def test_a_deleted_entry_is_named_as_missing() -> None:
    chain = a_chain(5)
    del chain[2]
    assert verify_chain(chain) == (2, ChainBreak(4, "entry 3 is missing"))


def test_two_swapped_entries_are_detected_at_the_first_of_them() -> None:
    chain = a_chain(5)
    chain[1], chain[2] = chain[2], chain[1]
    assert verify_chain(chain) == (1, ChainBreak(3, "entry 2 is missing"))


def test_only_the_first_of_several_alterations_is_reported() -> None:
    chain = a_chain(6)
    chain[4] = replace(chain[4], prev_hash=GENESIS)
    chain[1] = replace(chain[1], entry=replace(chain[1].entry, tag="listing:gate:approved"))
    assert verify_chain(chain) == (1, ChainBreak(2, CONTENT))


def test_the_canonical_text_does_not_depend_on_key_order() -> None:
    one = an_entry(data={"a": 1, "b": "二"})
    other = an_entry(data={"b": "二", "a": 1})
    assert canonical(one) == canonical(other)
    assert "二" in canonical(one)  # stored as text, not as \\u escapes


def test_the_hash_covers_the_previous_hash() -> None:
    entry = an_entry()
    assert chain_hash(GENESIS, entry) != chain_hash("1" * 64, entry)


# --- properties --------------------------------------------------------------------------

ENTRIES = st.builds(
    AuditEntry,
    at=st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
    ),
    actor=st.text(max_size=20),
    tag=st.text(max_size=30),
    subject=st.text(max_size=20),
    data=st.dictionaries(st.text(max_size=8), st.integers() | st.text(max_size=8), max_size=4),
)

Mutation = Callable[[SealedEntry], SealedEntry]


MUTATIONS: dict[str, tuple[Mutation, str]] = {
    "actor": (lambda s: replace(s, entry=replace(s.entry, actor=s.entry.actor + "x")), CONTENT),
    "tag": (lambda s: replace(s, entry=replace(s.entry, tag=s.entry.tag + ":x")), CONTENT),
    "subject": (
        lambda s: replace(s, entry=replace(s.entry, subject="x" + s.entry.subject)),
        CONTENT,
    ),
    "at": (
        lambda s: replace(s, entry=replace(s.entry, at=s.entry.at + timedelta(microseconds=1))),
        CONTENT,
    ),
    "data": (
        lambda s: replace(s, entry=replace(s.entry, data={**s.entry.data, "\x00tampered": 1})),
        CONTENT,
    ),
    "hash": (lambda s: replace(s, hash=s.hash[::-1] if s.hash != s.hash[::-1] else "0"), CONTENT),
    "prev_hash": (lambda s: replace(s, prev_hash="x" + s.prev_hash), PREV),
}


@given(
    st.lists(ENTRIES, min_size=1, max_size=8),
    st.data(),
    st.sampled_from(sorted(MUTATIONS)),
)
def test_any_single_entry_mutation_is_detected_at_that_entry(
    entries: list[AuditEntry], data: st.DataObject, mutation: str
) -> None:
    chain = seal(entries)
    index = data.draw(st.integers(min_value=0, max_value=len(chain) - 1))
    mutate, reason = MUTATIONS[mutation]
    chain[index] = mutate(chain[index])
    assert verify_chain(chain) == (index, ChainBreak(chain[index].seq, reason))


@given(st.lists(ENTRIES, max_size=8))
def test_any_sealed_chain_verifies(entries: list[AuditEntry]) -> None:
    assert verify_chain(seal(entries)) == (len(entries), None)
