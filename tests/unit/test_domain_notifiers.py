"""Who may file, and the record that earns trusted-flagger status or a suspension."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from probandi.domain.errors import InvalidInput
from probandi.domain.notices import ItemState
from probandi.domain.notifiers import (
    Authorization,
    HolderKind,
    ItemOutcome,
    NotifierRules,
    RightsHolder,
    StandingChange,
    TrademarkRegistration,
    judge,
    notifier_record,
)

NOW = datetime(2026, 11, 2, 9, tzinfo=UTC)
RULES = NotifierRules(trusted_min_items=10, abuse_min_items=4)


def a_holder(**overrides: object) -> RightsHolder:
    base = RightsHolder(
        id="h1",
        name="Gucci IP",
        created_at=NOW,
        registrations=(
            TrademarkRegistration("gucci", "CNIPA", "123", (18,), date(2030, 1, 1)),
            TrademarkRegistration("lv", "EUIPO", "456", (18,), date(2020, 1, 1)),  # expired
        ),
        verified_at=NOW,
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def outcomes(**counts: int) -> list[ItemOutcome]:
    out = []
    for state, n in counts.items():
        for i in range(n):
            at = NOW - timedelta(days=10, minutes=i)
            out.append(ItemOutcome(ItemState(state), at, at + timedelta(days=1), False))
    return out


def test_a_holder_files_only_for_brands_it_holds_with_a_live_registration() -> None:
    h = a_holder()
    assert h.verified_brands(today=NOW.date(), held={"gucci", "lv", "chanel"}) == {"gucci"}
    assert a_holder(verified_at=None).verified_brands(today=NOW.date(), held={"gucci"}) == set()


def test_an_agent_needs_a_live_authorization() -> None:
    agent = a_holder(
        kind=HolderKind.AGENT,
        authorization=Authorization("Guccio Gucci S.p.A.", "LOA-1", date(2026, 1, 1)),
    )
    assert agent.verified_brands(today=NOW.date(), held={"gucci"}) == set()
    with pytest.raises(InvalidInput):
        a_holder(kind=HolderKind.AGENT, authorization=None)


def test_the_record_counts_only_the_window() -> None:
    old = ItemOutcome(ItemState.UPHELD, NOW - timedelta(days=200), NOW, False)
    rec = notifier_record(
        [old, *outcomes(upheld=2, withdrawn=1, suspended=1)], since=NOW - timedelta(days=91)
    )
    assert (rec.items, rec.upheld, rec.withdrawn, rec.open) == (4, 2, 1, 1)
    assert rec.upheld_share == pytest.approx(2 / 3)


def test_trust_is_granted_by_the_record_and_removed_with_a_cool_off() -> None:
    since = NOW - timedelta(days=91)
    good = notifier_record(outcomes(upheld=10), since=since)
    granted = judge(a_holder(), good, RULES, now=NOW)
    assert granted.changes == (StandingChange.TRUST_GRANTED,)
    assert granted.holder.trusted
    bad = notifier_record(outcomes(upheld=9, restored=2), since=since)  # 82 % upheld
    removed = judge(granted.holder, bad, RULES, now=NOW)
    assert removed.changes == (StandingChange.TRUST_REMOVED,)
    assert removed.holder.trust_cooloff_until == NOW + RULES.trust_cooloff
    # Good again, but cooling off: not yet.
    assert judge(removed.holder, good, RULES, now=NOW + timedelta(days=30)).changes == ()
    later = NOW + RULES.trust_cooloff + timedelta(days=1)
    assert judge(removed.holder, good, RULES, now=later).holder.trusted


def test_too_few_outcomes_judge_nothing() -> None:
    few = notifier_record(outcomes(restored=3), since=NOW - timedelta(days=91))
    assert judge(a_holder(trusted_since=NOW), few, RULES, now=NOW).changes == ()


def test_mostly_unfounded_notices_warn_then_suspend() -> None:
    since = NOW - timedelta(days=91)
    rec = notifier_record(outcomes(withdrawn=2, restored=2, upheld=1), since=since)
    warned = judge(a_holder(), rec, RULES, now=NOW)
    assert warned.changes == (StandingChange.WARNED,)
    # Judged again with no new unfounded outcome since the warning: nothing more.
    assert judge(warned.holder, rec, RULES, now=NOW + timedelta(hours=1)).changes == ()
    newer = replace(rec, last_bad_at=NOW + timedelta(hours=2))
    suspended = judge(warned.holder, newer, RULES, now=NOW + timedelta(hours=2))
    assert suspended.changes == (StandingChange.SUSPENDED,)
    assert suspended.holder.filing_suspended(now=NOW + timedelta(days=29))
    assert not suspended.holder.filing_suspended(now=NOW + timedelta(days=31))
