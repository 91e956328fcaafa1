"""Notices against listings, with the burden of proof on the seller.

A notice names up to 300 listings; each accepted listing is one `NoticeItem`, which moves
through its own transition table: suspended at once, then the seller's counter-notice,
a reviewer's decision, the rights holder's window, and the outcome (China E-Commerce Law
Art. 42-43; EU DSA Art. 16-17).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from probandi.domain.brands import Brand, fold
from probandi.domain.errors import InvalidInput, InvalidTransition
from probandi.domain.listing_gate import GateState
from probandi.domain.listings import Listing
from probandi.domain.locales import N_
from probandi.domain.vouchers import StoredFile

MAX_LISTINGS = 300  # Alibaba IPP
MAX_TEXT = 5_000
MAX_EVIDENCE = 20


class NoticeReason(enum.StrEnum):
    COUNTERFEIT = "counterfeit"
    TRADEMARK_MISUSE = "trademark_misuse"  # the brand named in the listing, goods not the brand's
    UNAUTHORIZED_IMAGES = "unauthorized_images"  # the brand's own photos used without consent
    OTHER = "other"


REASON_TEXT = {
    NoticeReason.COUNTERFEIT: N_("the goods are counterfeit"),
    NoticeReason.TRADEMARK_MISUSE: N_("the listing misuses the trademark"),
    NoticeReason.UNAUTHORIZED_IMAGES: N_("the listing uses the brand's images without consent"),
    NoticeReason.OTHER: N_("another infringement of the brand's rights, stated in the notice"),
}


class Refusal(enum.StrEnum):
    """Why one listing of a notice was not taken (the rest of the notice still is)."""

    NOT_FOUND = "listing_not_found"
    NOT_YOUR_BRAND = "not_your_brand"
    DUPLICATE = "duplicate_in_notice"
    ALREADY_NOTICED = "already_noticed"
    ALREADY_REMOVED = "already_removed"


REFUSAL_TEXT = {
    Refusal.NOT_FOUND: N_("no such listing"),
    Refusal.NOT_YOUR_BRAND: N_("the listing does not name a brand you are verified to act for"),
    Refusal.DUPLICATE: N_("the listing appears more than once in this notice"),
    Refusal.ALREADY_NOTICED: N_("an open notice of yours already covers this listing"),
    Refusal.ALREADY_REMOVED: N_("the listing is already removed"),
}


class ItemState(enum.StrEnum):
    SUSPENDED = "suspended"  # taken down; the seller may answer until seller_due_at
    COUNTER_NOTICED = "counter_noticed"  # the seller's proof waits for a reviewer
    FORWARDED = "forwarded"  # proof held; the rights holder may report an action
    ACTION_REPORTED = "action_reported"  # complaint or lawsuit: suspended pending it
    UPHELD = "upheld"  # no proof, or proof rejected: the listing is removed
    RESTORED = "restored"  # the counter-notice prevailed: the listing is back
    WITHDRAWN = "withdrawn"  # the rights holder withdrew: the listing is back
    REVERSED = "reversed"  # an appeal overturned the removal: the listing is back


class ItemAction(enum.StrEnum):
    COUNTER = "counter"
    EXPIRE = "expire"  # the seller's deadline passed without an answer
    REJECT_COUNTER = "reject_counter"
    ACCEPT_COUNTER = "accept_counter"
    LAPSE = "lapse"  # the rights holder's window passed without an action reported
    REPORT_ACTION = "report_action"
    EXTEND = "extend"
    RULE_UPHELD = "rule_upheld"  # the authority or court found for the rights holder
    RULE_RESTORED = "rule_restored"  # ... or for the seller
    WITHDRAW = "withdraw"
    REVERSE = "reverse"  # an appeal granted against the removal


T, X = ItemState, ItemAction
ITEM_TRANSITIONS: dict[tuple[ItemState, ItemAction], ItemState] = {
    (T.SUSPENDED, X.COUNTER): T.COUNTER_NOTICED,
    (T.SUSPENDED, X.EXPIRE): T.UPHELD,
    (T.SUSPENDED, X.WITHDRAW): T.WITHDRAWN,
    (T.COUNTER_NOTICED, X.COUNTER): T.COUNTER_NOTICED,  # more proof before the decision
    (T.COUNTER_NOTICED, X.REJECT_COUNTER): T.UPHELD,
    (T.COUNTER_NOTICED, X.ACCEPT_COUNTER): T.FORWARDED,
    (T.COUNTER_NOTICED, X.WITHDRAW): T.WITHDRAWN,
    (T.FORWARDED, X.LAPSE): T.RESTORED,
    (T.FORWARDED, X.REPORT_ACTION): T.ACTION_REPORTED,
    (T.FORWARDED, X.EXTEND): T.FORWARDED,
    (T.FORWARDED, X.WITHDRAW): T.WITHDRAWN,
    (T.ACTION_REPORTED, X.RULE_UPHELD): T.UPHELD,
    (T.ACTION_REPORTED, X.RULE_RESTORED): T.RESTORED,
    (T.ACTION_REPORTED, X.WITHDRAW): T.WITHDRAWN,
    (T.UPHELD, X.REVERSE): T.REVERSED,
}
del T, X

# The listing is held by the notice in these states; in the others the notice lets go.
HOLDING = frozenset(
    {ItemState.SUSPENDED, ItemState.COUNTER_NOTICED, ItemState.FORWARDED, ItemState.ACTION_REPORTED}
)
FINAL = frozenset({ItemState.UPHELD, ItemState.RESTORED, ItemState.WITHDRAWN, ItemState.REVERSED})
# How a holding notice shows on the listing: "suspended" until upheld, then "removed".
HOLD_SUSPENDED, HOLD_REMOVED = "suspended", "removed"


def allowed_item_actions(state: ItemState) -> frozenset[ItemAction]:
    return frozenset(action for (src, action) in ITEM_TRANSITIONS if src is state)


class ActionKind(enum.StrEnum):
    """What the rights holder reports within its window (E-Commerce Law Art. 43)."""

    COMPLAINT = "complaint"  # to a competent authority
    LAWSUIT = "lawsuit"


@dataclass(frozen=True)
class ActionReport:
    kind: ActionKind
    authority: str
    reference: str
    reported_at: datetime

    def __post_init__(self) -> None:
        for name in ("authority", "reference"):
            value = getattr(self, name)
            if not value.strip() or len(value) > 300:
                raise InvalidInput("%(field)s must be 1-300 characters", field=name)


@dataclass(frozen=True)
class CounterNotice:
    """The seller's answer: a statement and the vouchers that prove the goods genuine."""

    statement: str
    voucher_ids: tuple[str, ...]
    filed_at: datetime

    def __post_init__(self) -> None:
        if not self.statement.strip() or len(self.statement) > MAX_TEXT:
            raise InvalidInput(
                "statement must be 1-%(MAX_TEXT)s characters",
                field="statement",
                params={"MAX_TEXT": MAX_TEXT},
            )
        if not self.voucher_ids:
            raise InvalidInput("a counter-notice needs proof: a voucher", field="file")


@dataclass(frozen=True)
class NoticeItem:
    """One listing of a notice; `version` guards concurrent moves."""

    id: str
    notice_id: str
    holder_id: str
    listing_id: str
    seller_id: str
    brand_id: str
    created_at: datetime
    seller_due_at: datetime
    state: ItemState = ItemState.SUSPENDED
    counter: CounterNotice | None = None
    forwarded_at: datetime | None = None
    holder_due_at: datetime | None = None
    extended: bool = False
    action: ActionReport | None = None
    decided_by: str | None = None  # who decided the counter-notice or the outcome
    closed_at: datetime | None = None  # when it reached a final state
    version: int = 1

    @property
    def holds_listing(self) -> bool:
        return self.state in HOLDING

    @property
    def hold(self) -> str | None:
        """How this item restricts its listing now, if at all."""
        if self.state in HOLDING:
            return HOLD_SUSPENDED
        return HOLD_REMOVED if self.state is ItemState.UPHELD else None

    def apply(self, action: ItemAction, *, at: datetime, by: str | None = None) -> NoticeItem:
        target = ITEM_TRANSITIONS.get((self.state, action))
        if target is None:
            raise InvalidTransition(
                "cannot %(action)s a notice item that is %(state)s",
                state=self.state.value,
                action=action.value,
                allowed=sorted(a.value for a in allowed_item_actions(self.state)),
            )
        closed = at if target in FINAL and self.state not in FINAL else self.closed_at
        return replace(self, state=target, closed_at=closed, decided_by=by or self.decided_by)

    def is_seller_overdue(self, *, now: datetime) -> bool:
        return self.state is ItemState.SUSPENDED and self.seller_due_at < now

    def is_holder_overdue(self, *, now: datetime) -> bool:
        return (
            self.state is ItemState.FORWARDED
            and self.holder_due_at is not None
            and self.holder_due_at < now
        )


@dataclass(frozen=True)
class NoticeEvidence:
    """A file a rights holder attaches to notices, e.g. a test-buy report."""

    id: str
    holder_id: str
    file: StoredFile
    filename: str
    created_at: datetime


@dataclass(frozen=True)
class NoticeRefusal:
    """A listing of a notice that was not taken, with its reason."""

    id: str
    notice_id: str
    listing_id: str
    code: Refusal

    @property
    def reason(self) -> str:
        return REFUSAL_TEXT[self.code]


@dataclass(frozen=True)
class Notice:
    """What a rights holder filed; receipt is confirmed with its id at once (DSA Art. 16)."""

    id: str
    holder_id: str
    reason: NoticeReason
    text: str
    evidence_ids: tuple[str, ...]
    good_faith: bool
    trusted: bool  # filed by a trusted flagger: no evidence was needed
    created_at: datetime
    created_by: str

    def __post_init__(self) -> None:
        if len(self.text) > MAX_TEXT:
            raise InvalidInput(
                "text must be at most %(MAX_TEXT)s characters",
                field="text",
                params={"MAX_TEXT": MAX_TEXT},
            )
        if len(self.evidence_ids) > MAX_EVIDENCE:
            raise InvalidInput(
                "at most %(MAX_EVIDENCE)s evidence files",
                field="evidence_ids",
                params={"MAX_EVIDENCE": MAX_EVIDENCE},
            )


def check_listing_ids(listing_ids: tuple[str, ...]) -> None:
    if not listing_ids:
        raise InvalidInput("a notice names at least one listing", field="listing_ids")
    if len(listing_ids) > MAX_LISTINGS:
        raise InvalidInput(
            "a notice names at most %(MAX_LISTINGS)s listings",
            field="listing_ids",
            params={"MAX_LISTINGS": MAX_LISTINGS},
        )


def _mentions(text: str, name: str) -> bool:
    """`name` in `text`, case- and width-folded; a Latin name only as a whole word."""
    key = " ".join(fold(name).split())
    if not key:
        return False
    if key.isascii():
        return re.search(rf"(?<![a-z0-9]){re.escape(key)}(?![a-z0-9])", text) is not None
    return key.replace(" ", "") in text.replace(" ", "")


def named_brand(listing: Listing, brands: Iterable[Brand]) -> Brand | None:
    """The first of `brands` the listing names: screened (gated) or in its title or brand."""
    brands = sorted(brands, key=lambda b: b.id)
    for brand in brands:
        if brand.id in listing.gated_brand_ids:
            return brand
    text = " ".join(fold(f"{listing.content.brand or ''} {listing.content.title}").split())
    for brand in brands:
        if any(_mentions(text, name) for name in brand.all_names):
            return brand
    return None


def refusal_for(
    listing: Listing | None, *, seen: bool, held: bool, brand: Brand | None
) -> Refusal | None:
    """Why a listing cannot be taken into a notice, or None when it can."""
    if seen:
        return Refusal.DUPLICATE
    if listing is None:
        return Refusal.NOT_FOUND
    if held:
        return Refusal.ALREADY_NOTICED
    if listing.gate.state is GateState.REMOVED or any(
        hold == HOLD_REMOVED for _, hold in listing.notice_holds
    ):
        return Refusal.ALREADY_REMOVED
    if brand is None:
        return Refusal.NOT_YOUR_BRAND
    return None
