"""Rights holders as notifiers: who may file, and the record that earns or loses trust.

Trusted-flagger status is earned and lost by the record alone (Alibaba's good-faith
program; DSA Art. 22), and a notifier whose notices are mostly withdrawn or overturned
is warned, then suspended from filing (DSA Art. 23).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from probandi.domain.errors import InvalidInput
from probandi.domain.notices import ItemState

MAX_REGISTRATIONS = 200


class HolderKind(enum.StrEnum):
    BRAND = "brand"  # the trademark owner itself
    AGENT = "agent"  # acts for a brand under its authorization (a law firm, a coalition)


@dataclass(frozen=True)
class TrademarkRegistration:
    """A registered mark the holder relies on: office (e.g. CNIPA, EUIPO), number, classes."""

    brand_id: str
    office: str
    number: str
    classes: tuple[int, ...]
    expires_on: date

    def __post_init__(self) -> None:
        for name in ("office", "number"):
            value = getattr(self, name)
            if not value.strip() or len(value) > 100:
                raise InvalidInput(
                    "%(name)s must be 1-100 characters",
                    field="registrations",
                    params={"name": name},
                )
        if not self.classes or any(not 1 <= c <= 45 for c in self.classes):
            raise InvalidInput("Nice classes are 1-45", field="registrations")


@dataclass(frozen=True)
class Authorization:
    """An agent's mandate from the brand owner."""

    granted_by: str  # the brand owner's legal name
    reference: str  # the letter of authorization, e.g. its number or file name
    expires_on: date

    def __post_init__(self) -> None:
        for name in ("granted_by", "reference"):
            value = getattr(self, name)
            if not value.strip() or len(value) > 300:
                raise InvalidInput(
                    "%(name)s must be 1-300 characters",
                    field="authorization",
                    params={"name": name},
                )


@dataclass(frozen=True)
class RightsHolder:
    """A brand or its agent; files notices once an admin has verified it."""

    id: str
    name: str
    created_at: datetime
    kind: HolderKind = HolderKind.BRAND
    registrations: tuple[TrademarkRegistration, ...] = ()
    authorization: Authorization | None = None
    verified_at: datetime | None = None
    verified_by: str | None = None
    trusted_since: datetime | None = None
    trusted_enrolled: bool = False  # an admin enrolled it (rather than its record)
    trust_cooloff_until: datetime | None = None
    warned_at: datetime | None = None
    filing_suspended_until: datetime | None = None

    def __post_init__(self) -> None:
        if len(self.registrations) > MAX_REGISTRATIONS:
            raise InvalidInput("too many registrations", field="registrations")
        if self.kind is HolderKind.AGENT and self.verified_at and self.authorization is None:
            raise InvalidInput("an agent needs the brand's authorization", field="authorization")

    @property
    def trusted(self) -> bool:
        return self.trusted_since is not None

    def verified_brands(self, *, today: date, held: Iterable[str]) -> frozenset[str]:
        """The brands it may file for: held by it, with an unexpired registration, and for
        an agent an unexpired authorization. Nothing before an admin verified it."""
        if self.verified_at is None:
            return frozenset()
        if self.kind is HolderKind.AGENT and (
            self.authorization is None or self.authorization.expires_on < today
        ):
            return frozenset()
        live = {r.brand_id for r in self.registrations if r.expires_on >= today}
        return frozenset(live & set(held))

    def filing_suspended(self, *, now: datetime) -> bool:
        return self.filing_suspended_until is not None and self.filing_suspended_until > now


@dataclass(frozen=True)
class ItemOutcome:
    """What became of one listing of a notice, for the record."""

    state: ItemState
    created_at: datetime
    closed_at: datetime | None
    countered: bool  # the seller filed a counter-notice


@dataclass(frozen=True)
class NotifierRecord:
    """Per rights holder, over a rolling window (3 months by default)."""

    since: datetime
    items: int = 0
    open: int = 0
    upheld: int = 0
    withdrawn: int = 0
    counter_succeeded: int = 0  # restored after a counter-notice, or reversed on appeal
    last_bad_at: datetime | None = None  # the latest withdrawal or overturn
    notices: int = 0

    @property
    def resolved(self) -> int:
        return self.upheld + self.withdrawn + self.counter_succeeded

    @property
    def upheld_share(self) -> float:
        return self.upheld / self.resolved if self.resolved else 0.0

    @property
    def counter_share(self) -> float:
        return self.counter_succeeded / self.resolved if self.resolved else 0.0

    @property
    def unfounded_share(self) -> float:
        """Withdrawn or overturned, of those resolved."""
        bad = self.withdrawn + self.counter_succeeded
        return bad / self.resolved if self.resolved else 0.0


OVERTURNED = frozenset({ItemState.RESTORED, ItemState.REVERSED})


def notifier_record(
    outcomes: Iterable[ItemOutcome], *, since: datetime, notices: int = 0
) -> NotifierRecord:
    """Count the items filed since `since`; `notices` is how many notices they came in."""
    counts = {"items": 0, "open": 0, "upheld": 0, "withdrawn": 0, "counter_succeeded": 0}
    last_bad: datetime | None = None
    for o in outcomes:
        if o.created_at < since:
            continue
        counts["items"] += 1
        if o.state is ItemState.UPHELD:
            counts["upheld"] += 1
        elif o.state is ItemState.WITHDRAWN or o.state in OVERTURNED:
            counts["withdrawn" if o.state is ItemState.WITHDRAWN else "counter_succeeded"] += 1
            if o.closed_at and (last_bad is None or o.closed_at > last_bad):
                last_bad = o.closed_at
        else:
            counts["open"] += 1
    return NotifierRecord(since=since, last_bad_at=last_bad, notices=notices, **counts)


@dataclass(frozen=True)
class NotifierRules:
    """The policy numbers the standing is judged by."""

    window: timedelta = timedelta(days=91)  # a rolling 3 months
    trusted_upheld: float = 0.90
    trusted_counter: float = 0.05
    trusted_min_items: int = 20
    trust_cooloff: timedelta = timedelta(days=91)
    abuse_share: float = 0.5  # "mostly" withdrawn or overturned
    abuse_min_items: int = 5
    abuse_suspension: timedelta = timedelta(days=30)


class StandingChange(enum.StrEnum):
    TRUST_GRANTED = "trust_granted"
    TRUST_REMOVED = "trust_removed"
    WARNED = "warned"
    SUSPENDED = "suspended"


@dataclass(frozen=True)
class Judgement:
    holder: RightsHolder
    changes: tuple[StandingChange, ...] = field(default=())


def judge(
    holder: RightsHolder, record: NotifierRecord, rules: NotifierRules, *, now: datetime
) -> Judgement:
    """Move the holder's standing to what its record now says; returns what changed."""
    changes: list[StandingChange] = []
    h = holder
    qualifies = (
        record.resolved >= rules.trusted_min_items
        and record.upheld_share >= rules.trusted_upheld
        and record.counter_share <= rules.trusted_counter
    )
    judged = record.resolved >= rules.trusted_min_items
    cooling = h.trust_cooloff_until is not None and h.trust_cooloff_until > now
    if not h.trusted and qualifies and not cooling:
        h = replace(h, trusted_since=now, trusted_enrolled=False)
        changes.append(StandingChange.TRUST_GRANTED)
    elif h.trusted and judged and not qualifies:
        h = replace(
            h,
            trusted_since=None,
            trusted_enrolled=False,
            trust_cooloff_until=now + rules.trust_cooloff,
        )
        changes.append(StandingChange.TRUST_REMOVED)
    abusive = (
        record.resolved >= rules.abuse_min_items and record.unfounded_share > rules.abuse_share
    )
    if abusive and not h.filing_suspended(now=now):
        warned = h.warned_at
        if warned is None or warned <= now - rules.window:
            h = replace(h, warned_at=now)
            changes.append(StandingChange.WARNED)
        elif record.last_bad_at is not None and record.last_bad_at > warned:
            h = replace(h, filing_suspended_until=now + rules.abuse_suspension, warned_at=None)
            changes.append(StandingChange.SUSPENDED)
            if h.trusted:
                h = replace(
                    h,
                    trusted_since=None,
                    trusted_enrolled=False,
                    trust_cooloff_until=now + rules.trust_cooloff,
                )
                changes.append(StandingChange.TRUST_REMOVED)
    return Judgement(h, tuple(changes))
