"""The penalty ledger: append-only entries per seller, and the standing they add up to.

Three counterfeit strikes within 365 days close the shop, a forged voucher alone is
closure-level, and two strikes restrict the shop from new listings of gated brands
(Alibaba's three strikes). Strikes closer together than a few working days count as one,
so a seller gets the chance to clean up before the next strike counts. A reversal is a
compensating entry, never a delete.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from probandi.domain.calendar import WorkingCalendar
from probandi.domain.locales import N_


class PenaltyKind(enum.StrEnum):
    COUNTERFEIT = "counterfeit"  # a notice upheld on the merits
    PROOF_DEADLINE_MISSED = "proof_deadline_missed"  # a notice the seller did not answer
    FORGED_VOUCHER = "forged_voucher"  # a forged or recycled voucher
    REVERSAL = "reversal"  # cancels the entry it names


PENALTY_TEXT = {
    PenaltyKind.COUNTERFEIT: N_("a counterfeit strike: a rights holder's notice was upheld"),
    PenaltyKind.PROOF_DEADLINE_MISSED: N_(
        "a counterfeit strike: a notice was not answered with proof in time"
    ),
    PenaltyKind.FORGED_VOUCHER: N_("a forged or recycled voucher (closure-level)"),
    PenaltyKind.REVERSAL: N_("a reversal of an earlier entry"),
}


@dataclass(frozen=True)
class PenaltyEntry:
    """One line of the ledger, citing the decision it comes from."""

    id: str
    seller_id: str
    kind: PenaltyKind
    at: datetime
    reason: str
    decision: str  # e.g. "notice_item:<id>", "task:<id>", "voucher:<id>", "appeal:<id>"
    actor: str
    listing_id: str | None = None
    notice_item_id: str | None = None
    statement_id: str | None = None
    reverses: str | None = None


@dataclass(frozen=True)
class PenaltyRules:
    strike_kinds: frozenset[PenaltyKind] = frozenset(
        {PenaltyKind.COUNTERFEIT, PenaltyKind.PROOF_DEADLINE_MISSED}
    )
    closure_kinds: frozenset[PenaltyKind] = frozenset({PenaltyKind.FORGED_VOUCHER})
    strike_window: timedelta = timedelta(days=365)
    # The 2nd strike counts only 5 working days after the 1st, the 3rd 7 after the 2nd.
    strike_gaps_working_days: tuple[int, ...] = (5, 7)
    close_at_strikes: int = 3
    restrict_at_strikes: int = 2
    restriction: timedelta = timedelta(days=30)  # no new listings of gated brands


@dataclass(frozen=True)
class Standing:
    """What the ledger adds up to for one seller at one time."""

    strikes: int  # counted strikes within the window now
    counted: tuple[str, ...]  # ids of the strikes that counted (ever)
    merged: tuple[str, ...]  # strikes too close to the one before: counted as one
    closed: bool
    closed_by: tuple[str, ...]  # the entries that closed the shop
    restricted_until: datetime | None

    def restricted(self, *, now: datetime) -> bool:
        return self.restricted_until is not None and self.restricted_until > now


def live_entries(entries: Iterable[PenaltyEntry]) -> list[PenaltyEntry]:
    """The entries no reversal cancels, oldest first (reversals themselves left out)."""
    entries = list(entries)
    reversed_ids = {e.reverses for e in entries if e.kind is PenaltyKind.REVERSAL}
    live = [e for e in entries if e.kind is not PenaltyKind.REVERSAL and e.id not in reversed_ids]
    return sorted(live, key=lambda e: (e.at, e.id))


def standing(
    entries: Iterable[PenaltyEntry],
    rules: PenaltyRules,
    calendar: WorkingCalendar,
    *,
    now: datetime,
) -> Standing:
    live = live_entries(entries)
    closed_by = [e.id for e in live if e.kind in rules.closure_kinds]
    counted: list[PenaltyEntry] = []
    merged: list[str] = []
    restricted_until: datetime | None = None
    for e in (e for e in live if e.kind in rules.strike_kinds):
        in_window = [c for c in counted if c.at > e.at - rules.strike_window]
        if in_window and rules.strike_gaps_working_days:
            gaps = rules.strike_gaps_working_days
            gap = gaps[min(len(in_window), len(gaps)) - 1]
            if calendar.working_days_between(in_window[-1].at, e.at) < gap:
                merged.append(e.id)
                continue
        counted.append(e)
        n = len(in_window) + 1
        if n >= rules.close_at_strikes:
            closed_by.extend(c.id for c in (*in_window, e)[-rules.close_at_strikes :])
        elif n >= rules.restrict_at_strikes:
            until = e.at + rules.restriction
            restricted_until = max(restricted_until or until, until)
    strikes_now = sum(1 for c in counted if c.at > now - rules.strike_window)
    return Standing(
        strikes=strikes_now,
        counted=tuple(c.id for c in counted),
        merged=tuple(merged),
        closed=bool(closed_by),
        closed_by=tuple(dict.fromkeys(closed_by)),
        restricted_until=restricted_until,
    )
