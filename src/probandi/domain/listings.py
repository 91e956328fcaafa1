"""Listings as the platform pushes them, and how an edit moves the gate."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

from probandi.domain.brands import fold
from probandi.domain.errors import InvalidInput
from probandi.domain.listing_gate import Gate, GateAction, GateEvent, GateState
from probandi.domain.money import Money
from probandi.domain.screening import BrandMatch
from probandi.domain.sellers import Seller
from probandi.domain.text import Wording, english, say

MAX_TITLE = 500
MAX_DESCRIPTION = 20_000
MAX_IMAGES = 30
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,127}$")


def check_id(value: str, field_name: str = "id") -> str:
    if not ID_PATTERN.match(value):
        raise InvalidInput(
            "%(field)s must be 1-128 characters of letters, digits and . _ : -",
            field=field_name,
        )
    return value


@dataclass(frozen=True)
class ListingContent:
    """What the platform says about a listing; everything the seller can edit."""

    title: str
    price: Money
    stock: int
    description: str = ""
    brand: str | None = None
    category: str | None = None
    images: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.title.strip() or len(self.title) > MAX_TITLE:
            raise InvalidInput(
                "title must be 1-%(MAX_TITLE)s characters",
                field="title",
                params={"MAX_TITLE": MAX_TITLE},
            )
        if len(self.description) > MAX_DESCRIPTION:
            raise InvalidInput("description is too long", field="description")
        if self.stock < 0:
            raise InvalidInput("stock must not be negative", field="stock")
        if len(self.images) > MAX_IMAGES:
            raise InvalidInput(
                "at most %(MAX_IMAGES)s images", field="images", params={"MAX_IMAGES": MAX_IMAGES}
            )

    def screened_fields(self) -> dict[str, str | None]:
        return {"brand": self.brand, "title": self.title}


def _norm(text: str | None) -> str:
    return " ".join(fold(text or "").split())


@dataclass(frozen=True)
class ApprovedTerms:
    """What a reviewer approved; an edit outside these terms re-gates the listing."""

    brand: str
    title: str
    images: frozenset[str]
    brand_ids: frozenset[str]
    currency: str
    price_low: Decimal
    price_high: Decimal

    @classmethod
    def of(cls, listing: Listing, band: Decimal) -> ApprovedTerms:
        price = listing.content.price
        return cls(
            brand=_norm(listing.content.brand),
            title=_norm(listing.content.title),
            images=frozenset(listing.content.images),
            brand_ids=listing.gated_brand_ids,
            currency=price.currency,
            price_low=(price.amount * (1 - band)).quantize(Decimal("0.01")),
            price_high=(price.amount * (1 + band)).quantize(Decimal("0.01")),
        )

    def changed_aspects(self, content: ListingContent, brand_ids: frozenset[str]) -> list[str]:
        """Which gated aspects differ from what was approved (empty: still approved)."""
        changed = []
        if _norm(content.brand) != self.brand or brand_ids != self.brand_ids:
            changed.append("brand")
        if _norm(content.title) != self.title:
            changed.append("title")
        if frozenset(content.images) != self.images:
            changed.append("images")
        price = content.price
        if price.currency != self.currency or not (
            self.price_low <= price.amount <= self.price_high
        ):
            changed.append("price")
        return changed


@dataclass(frozen=True)
class Listing:
    """A listing with its gate; `matches` are the gated brands it names."""

    id: str
    seller_id: str
    content: ListingContent
    created_at: datetime
    updated_at: datetime
    gate: Gate = field(default_factory=Gate)
    matches: tuple[BrandMatch, ...] = ()
    approved_terms: ApprovedTerms | None = None
    held_at: datetime | None = None
    proof_due_at: datetime | None = None
    # Notices restricting the listing: (notice id, "suspended" or "removed"), sorted.
    notice_holds: tuple[tuple[str, str], ...] = ()
    version: int = 0

    @property
    def gated_brand_ids(self) -> frozenset[str]:
        return frozenset(m.brand_id for m in self.matches)

    @property
    def gated_brand_names(self) -> list[str]:
        return sorted({m.brand_name for m in self.matches})

    def held_by(self, notice_id: str, hold: str | None) -> Listing:
        """The listing with this notice's hold set (or dropped when `hold` is None)."""
        holds = dict(self.notice_holds)
        if hold is None:
            holds.pop(notice_id, None)
        else:
            holds[notice_id] = hold
        return replace(self, notice_holds=tuple(sorted(holds.items())))

    def transition(self, action: GateAction, *, at: datetime) -> tuple[Listing, GateEvent]:
        gate, event = self.gate.apply(action, at=at)
        return replace(self, gate=gate), event

    def regate(self, *, at: datetime, proof_due_at: datetime) -> tuple[Listing, GateEvent]:
        """Held again: what was approved no longer stands, and proof is due anew."""
        listing, event = self.transition(GateAction.REGATE, at=at)
        return replace(listing, approved_terms=None, held_at=at, proof_due_at=proof_due_at), event


@dataclass(frozen=True)
class IfMatch:
    """A push's precondition (HTTP If-Match): the listing exists, and for a list of
    versions, is still at one of them. A plain push has none: the last writer wins."""

    versions: frozenset[int] = frozenset()
    any_version: bool = False  # If-Match: *

    def holds(self, listing: Listing | None) -> bool:
        if listing is None:
            return False
        return self.any_version or listing.version in self.versions


@dataclass(frozen=True)
class EditOutcome:
    """The listing after an upsert, what the gate did, and which gated aspects changed."""

    listing: Listing
    events: tuple[GateEvent, ...]
    changed_aspects: tuple[str, ...] = ()
    created: bool = False
    unchanged: bool = False


def apply_upsert(
    existing: Listing | None,
    *,
    listing_id: str,
    seller_id: str,
    content: ListingContent,
    matches: list[BrandMatch],
    now: datetime,
    proof_due_at: datetime,
    price_band: Decimal = Decimal("0.20"),
) -> EditOutcome:
    """Apply a platform push: hold new gated listings, re-gate approved ones edited.

    A listing under review is re-gated too when a gated aspect changes: the proof was
    submitted for what the listing said then, and must not approve something else.
    """
    if existing is None:
        listing = Listing(listing_id, seller_id, content, created_at=now, updated_at=now)
        return _gate_new(listing, tuple(matches), now, proof_due_at, created=True)
    if existing.seller_id != seller_id:
        raise InvalidInput("a listing cannot move to another seller", field="seller_id")
    if existing.content == content and existing.matches == tuple(matches):
        return EditOutcome(existing, (), unchanged=True)  # a re-push: nothing to write
    listing = replace(existing, content=content, matches=tuple(matches), updated_at=now)
    brand_ids = listing.gated_brand_ids
    state = existing.gate.state
    if state is GateState.REMOVED:
        return EditOutcome(listing, ())
    if not brand_ids:
        if state is GateState.UNGATED:
            return EditOutcome(listing, ())
        listing, event = listing.transition(GateAction.CLEAR, at=now)
        cleared = replace(listing, approved_terms=None, held_at=None, proof_due_at=None)
        return EditOutcome(cleared, (event,))
    if state is GateState.UNGATED:
        return _gate_new(listing, tuple(matches), now, proof_due_at)
    if state in (GateState.APPROVED, GateState.IN_REVIEW):
        terms = existing.approved_terms or ApprovedTerms.of(existing, price_band)
        changed = terms.changed_aspects(content, brand_ids)
        if changed:
            regated, event = listing.regate(at=now, proof_due_at=proof_due_at)
            return EditOutcome(regated, (event,), tuple(changed))
    return EditOutcome(listing, ())


def _gate_new(
    listing: Listing,
    matches: tuple[BrandMatch, ...],
    now: datetime,
    proof_due_at: datetime,
    *,
    created: bool = False,
) -> EditOutcome:
    listing = replace(listing, matches=matches)
    if not matches:
        return EditOutcome(listing, (), created=created)
    held, event = listing.transition(GateAction.HOLD, at=now)
    held = replace(held, held_at=now, proof_due_at=proof_due_at)
    return EditOutcome(held, (event,), created=created)


@dataclass(frozen=True)
class Publishability:
    """The plain answer every listing response carries."""

    publishable: bool
    reasons: tuple[str, ...]  # in English, as the API sends them
    required_evidence: str | None
    proof_due_at: datetime | None
    reason_terms: tuple[Wording, ...] = ()  # the same, as data, for the reader's locale

    @staticmethod
    def of(
        reasons: tuple[Wording, ...], required_evidence: str | None, due: datetime | None
    ) -> Publishability:
        """Not publishable, for `reasons`."""
        english_reasons = tuple(english(r) for r in reasons)
        return Publishability(False, english_reasons, required_evidence, due, reasons)


class Blocker(enum.StrEnum):
    """Each thing that keeps a listing off the shelf. The read side's `publishable`
    filter has one condition per member (queries/listings.py), so they cannot drift."""

    GATE = "gate"  # names a gated brand without approved proof, or removed
    NOTICE_HOLD = "notice_hold"  # a rights holder's notice suspended or removed it
    SHOP_CLOSED = "shop_closed"  # the penalty ledger closed the shop


def blockers(listing: Listing, seller: Seller) -> frozenset[Blocker]:
    """What keeps this listing off the shelf now; empty: it may be published.

    A shop restricted from gated brands keeps its listings: the restriction refuses new
    gated listings (services/listings.py), it does not take the approved ones down."""
    found = set()
    if not listing.gate.publishable:
        found.add(Blocker.GATE)
    if listing.notice_holds:
        found.add(Blocker.NOTICE_HOLD)
    if seller.closed_at is not None:
        found.add(Blocker.SHOP_CLOSED)
    return frozenset(found)


def publishability(listing: Listing, seller: Seller) -> Publishability:
    """Published only if the gate allows it, no notice holds it and the shop is open."""
    state = listing.gate.state
    names = ", ".join(listing.gated_brand_names)
    requirement = seller.required_evidence.summary if listing.matches else None
    reasons: dict[GateState, Wording] = {
        GateState.AWAITING_PROOF: say(
            "names the gated brand(s) %(brands)s; proof has not been supplied yet", brands=names
        ),
        GateState.IN_REVIEW: say(
            "names the gated brand(s) %(brands)s; the proof is under review", brands=names
        ),
        GateState.REJECTED: say(
            "names the gated brand(s) %(brands)s; the proof was rejected (see the statement of "
            "reasons); other proof may be supplied",
            brands=names,
        ),
        GateState.REMOVED: say(
            "removed: no acceptable proof was supplied in time, or a reviewer removed it"
        ),
    }
    restrictions: list[Wording] = []
    if seller.closed_at is not None:
        restrictions.append(
            say(
                "the shop is closed under the penalty ledger; none of its listings may be published"
            )
        )
    for notice_id, hold in listing.notice_holds:
        restrictions.append(
            say(
                "suspended on notice %(notice_id)s from a rights holder; answer it with proof",
                notice_id=notice_id,
            )
            if hold == "suspended"
            else say("removed on notice %(notice_id)s: the notice was upheld", notice_id=notice_id)
        )
    if not blockers(listing, seller):
        return Publishability(True, (), None, None)
    if listing.gate.publishable:
        return Publishability.of(tuple(restrictions), None, None)
    due = listing.proof_due_at if state is not GateState.REMOVED else None
    return Publishability.of((*restrictions, reasons[state]), requirement, due)
