"""Statements of reasons (EU DSA Art. 17): every restriction says why and how to appeal."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from probandi.domain.locales import N_
from probandi.domain.review import TaskKind
from probandi.domain.text import Phrase, Wording, english, say
from probandi.domain.vouchers import Finding, Severity

PROOF_REJECTED = N_("proof rejected; the listing stays unpublishable until proof is approved")
APPROVAL_KEPT = N_("approved proof checked again: the approval stands")
APPROVAL_REVOKED = N_("approval of proof revoked; the listing is held until new proof is approved")
APPROVAL_REVOKED_PROOF_STANDS = N_(
    "approval of one voucher revoked; the listing's other approved proof stands"
)
NOTICE_UPHELD = N_("listing removed: the rights holder's notice was upheld")
LISTING_HELD = N_("listing held: not publishable until proof is approved")
VOUCHER_REJECTED = N_("voucher rejected; the listing stays unpublishable until proof is approved")
DEADLINE_REMOVED = N_("listing removed")
NOTICE_SUSPENDED = N_("listing suspended on a rights holder's notice")
SHOP_CLOSED = N_("shop closed: none of its listings may be published")
PROOF_APPROVED_ON_CREDENTIAL = N_(
    "proof approved automatically: a credential signed by the rights holder"
)
PROOF_APPROVED = N_("proof approved")
APPEAL_GRANTED = N_("appeal granted: the decision is reversed")
APPEAL_DISMISSED = N_("appeal dismissed: the decision stands")
COUNTER_ACCEPTED = N_("counter-notice accepted: forwarded to the rights holder")
LISTING_RESTORED = N_("listing restored: the restriction on the rights holder's notice is lifted")
RESTORED_GROUND = N_(
    "probandi notice policy: a listing suspended on a notice is restored when the notice is "
    "withdrawn or the seller's proof prevails (China E-Commerce Law Art. 43)"
)
REVERSED_GROUND = N_(
    "probandi appeal policy: a person other than the first decider reversed the removal on "
    "the seller's internal complaint (DSA Art. 20)"
)
NOTICE_UPHELD_GROUND = N_(
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
    terms: Terms | None = None  # the texts as data; None for statements issued before 0017


@dataclass(frozen=True)
class Terms:
    """A statement's texts as data (issue 21): what is stored as the record, alongside
    their English rendering."""

    measure: Wording
    facts: tuple[Wording, ...]
    ground: Wording
    redress: Wording


def worded(
    *,
    measure: Wording | str,
    facts: Iterable[Wording | str],
    ground: Wording | str,
    redress: Wording | str,
    **fields: Any,
) -> StatementOfReasons:
    """A statement from its terms; a plain string is a message without values."""

    def w(text: Wording | str) -> Wording:
        return say(text) if isinstance(text, str) else text

    terms = Terms(w(measure), tuple(w(f) for f in facts), w(ground), w(redress))
    return StatementOfReasons(
        measure=english(terms.measure),
        facts=tuple(english(f) for f in terms.facts),
        ground=english(terms.ground),
        redress=english(terms.redress),
        terms=terms,
        **fields,
    )


def redress_text(now: datetime, appeal_window_days: int) -> Wording:
    until = (now + timedelta(days=appeal_window_days)).date().isoformat()
    return say(
        "You may upload other proof for this listing before its deadline, or file an internal "
        "complaint, decided by a person, until %(until)s.",
        until=until,
    )


def finding_fact(f: Finding) -> Wording:
    return (Phrase("[%(code)s]", {"code": f.code}), Phrase(f.template or f.message, f.values))


def facts_from_findings(findings: tuple[Finding, ...]) -> tuple[Wording, ...]:
    return tuple(finding_fact(f) for f in findings if f.severity is not Severity.INFO)


def decision_statement(kind: TaskKind, approve: bool, reason_code: str) -> tuple[str, Wording]:
    """(measure, ground) of a reviewer's decision on a task of `kind`, as it will be sent."""
    if kind is TaskKind.APPEAL:
        measure = APPEAL_GRANTED if approve else APPEAL_DISMISSED
        return measure, say("probandi appeal policy: %(code)s", code=reason_code)
    if kind is TaskKind.COUNTER_NOTICE:
        if approve:
            return COUNTER_ACCEPTED, say("probandi notice policy: %(code)s", code=reason_code)
        return NOTICE_UPHELD, say(NOTICE_UPHELD_GROUND)
    if kind is TaskKind.RECHECK:
        measure = APPROVAL_KEPT if approve else APPROVAL_REVOKED
        return measure, say("probandi proof policy: %(code)s", code=reason_code)
    measure = PROOF_APPROVED if approve else PROOF_REJECTED
    return measure, say("probandi proof policy: %(code)s", code=reason_code)
