"""The penalty ledger's standing: strikes, their gaps in working days, closure, reversal."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from probandi.domain.calendar import WorkingCalendar
from probandi.domain.penalties import PenaltyEntry, PenaltyKind, PenaltyRules, standing

MON = datetime(2026, 11, 2, 9, tzinfo=UTC)
RULES = PenaltyRules()
CAL = WorkingCalendar()


def entry(n: int, kind: PenaltyKind, at: datetime, reverses: str | None = None) -> PenaltyEntry:
    return PenaltyEntry(
        id=f"e{n}",
        seller_id="s1",
        kind=kind,
        at=at,
        reason="r",
        decision=f"notice_item:{n}",
        actor="admin:system",
        reverses=reverses,
    )


def strike(n: int, at: datetime) -> PenaltyEntry:
    return entry(n, PenaltyKind.COUNTERFEIT, at)


def test_three_strikes_far_enough_apart_close_the_shop_and_two_restrict_it() -> None:
    first, second = strike(1, MON), strike(2, MON + timedelta(days=7))  # 5 working days
    two = standing([first, second], RULES, CAL, now=second.at)
    assert (two.strikes, two.closed) == (2, False)
    assert two.restricted_until == second.at + RULES.restriction
    assert two.restricted(now=second.at)
    assert not two.restricted(now=second.at + timedelta(days=31))
    third = strike(3, second.at + timedelta(days=9))  # 7 working days after the second
    three = standing([first, second, third], RULES, CAL, now=third.at)
    assert three.closed
    assert three.closed_by == ("e1", "e2", "e3")


def test_strikes_too_close_together_count_as_one() -> None:
    entries = [
        strike(1, MON),
        strike(2, MON + timedelta(days=2)),
        strike(3, MON + timedelta(days=4)),
    ]
    st = standing(entries, RULES, CAL, now=MON + timedelta(days=4))
    assert st.strikes == 1
    assert st.merged == ("e2", "e3")
    assert not st.closed


def test_a_holiday_in_the_gap_makes_a_strike_merge() -> None:
    second_at = MON + timedelta(days=7)  # Monday a week later: 5 working days
    holiday = WorkingCalendar(holidays=frozenset({date(2026, 11, 4)}))
    assert standing([strike(1, MON), strike(2, second_at)], RULES, CAL, now=second_at).strikes == 2
    st = standing([strike(1, MON), strike(2, second_at)], RULES, holiday, now=second_at)
    assert st.strikes == 1
    assert st.merged == ("e2",)


def test_strikes_older_than_the_window_stop_counting() -> None:
    entries = [
        strike(1, MON),
        strike(2, MON + timedelta(days=200)),
        strike(3, MON + timedelta(days=400)),
    ]
    st = standing(entries, RULES, CAL, now=MON + timedelta(days=400))
    assert not st.closed
    assert st.strikes == 2


def test_a_forged_voucher_alone_closes_and_its_reversal_reopens() -> None:
    forged = entry(1, PenaltyKind.FORGED_VOUCHER, MON)
    assert standing([forged], RULES, CAL, now=MON).closed
    undone = entry(2, PenaltyKind.REVERSAL, MON + timedelta(days=1), reverses="e1")
    st = standing([forged, undone], RULES, CAL, now=MON + timedelta(days=1))
    assert not st.closed
    assert st.strikes == 0


def test_a_missed_deadline_is_a_strike() -> None:
    st = standing([entry(1, PenaltyKind.PROOF_DEADLINE_MISSED, MON)], RULES, CAL, now=MON)
    assert st.strikes == 1
    assert st.counted == ("e1",)
