"""Statements of reasons (EU DSA Art. 17): every restriction says why and how to appeal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from probandi.domain.review import TaskKind
from probandi.domain.vouchers import Finding, Severity

PROOF_REJECTED = "proof rejected; the listing stays unpublishable until proof is approved"
APPROVAL_KEPT = "approved proof checked again: the approval stands"
APPROVAL_REVOKED = "approval of proof revoked; the listing is held until new proof is approved"
APPROVAL_REVOKED_PROOF_STANDS = (
    "approval of one voucher revoked; the listing's other approved proof stands"
)
NOTICE_UPHELD = "listing removed: the rights holder's notice was upheld"
LISTING_HELD = "listing held: not publishable until proof is approved"
VOUCHER_REJECTED = "voucher rejected; the listing stays unpublishable until proof is approved"
DEADLINE_REMOVED = "listing removed"
NOTICE_SUSPENDED = "listing suspended on a rights holder's notice"
SHOP_CLOSED = "shop closed: none of its listings may be published"
PROOF_APPROVED_ON_CREDENTIAL = (
    "proof approved automatically: a credential signed by the rights holder"
)
PROOF_APPROVED = "proof approved"
APPEAL_GRANTED = "appeal granted: the decision is reversed"
APPEAL_DISMISSED = "appeal dismissed: the decision stands"
COUNTER_ACCEPTED = "counter-notice accepted: forwarded to the rights holder"
LISTING_RESTORED = "listing restored: the restriction on the rights holder's notice is lifted"
RESTORED_GROUND = (
    "probandi notice policy: a listing suspended on a notice is restored when the notice is "
    "withdrawn or the seller's proof prevails (China E-Commerce Law Art. 43)"
)
REVERSED_GROUND = (
    "probandi appeal policy: a person other than the first decider reversed the removal on "
    "the seller's internal complaint (DSA Art. 20)"
)
NOTICE_UPHELD_GROUND = (
    "probandi notice policy: the seller did not prove the goods genuine "
    "(China E-Commerce Law Art. 42)"
)


@dataclass(frozen=True)
class StatementOfReasons:
    """Measure, scope, facts, ground, whether automated, and how to seek redress."""

    id: str
    listing_id: str
    seller_id: str
    measure: str
    scope: str
    facts: tuple[str, ...]
    ground: str
    automated: bool
    redress: str
    created_at: datetime
    decided_by: str | None = None
    voucher_id: str | None = None
    notice_id: str | None = None  # the notice it acts on, if any


def redress_text(now: datetime, appeal_window_days: int) -> str:
    until = (now + timedelta(days=appeal_window_days)).date().isoformat()
    return (
        "You may upload other proof for this listing before its deadline, or file an internal "
        f"complaint, decided by a person, until {until}."
    )


def facts_from_findings(findings: tuple[Finding, ...]) -> tuple[str, ...]:
    return tuple(f"[{f.code}] {f.message}" for f in findings if f.severity is not Severity.INFO)


def decision_statement(kind: TaskKind, approve: bool, reason_code: str) -> tuple[str, str]:
    """(measure, ground) of a reviewer's decision on a task of `kind`, as it will be sent."""
    if kind is TaskKind.APPEAL:
        return (
            APPEAL_GRANTED if approve else APPEAL_DISMISSED
        ), f"probandi appeal policy: {reason_code}"
    if kind is TaskKind.COUNTER_NOTICE:
        if approve:
            return COUNTER_ACCEPTED, f"probandi notice policy: {reason_code}"
        return NOTICE_UPHELD, NOTICE_UPHELD_GROUND
    if kind is TaskKind.RECHECK:
        return (
            APPROVAL_KEPT if approve else APPROVAL_REVOKED
        ), f"probandi proof policy: {reason_code}"
    measure = PROOF_APPROVED if approve else PROOF_REJECTED
    return measure, f"probandi proof policy: {reason_code}"
