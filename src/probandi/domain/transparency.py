"""Statements of reasons as records for the Commission's DSA Transparency Database
(DSA Art. 17 and 24(5)): one record per restriction probandi issues, none for decisions that
restrict nothing (an approval, an approval that stands).

Pure. The record follows the database's statement schema as in force since 2025-07-01
(field names and values from its API documentation and validation rules). The database is
public, so a record carries no personal data: no seller or shop name, no notifier identity,
no voucher content. The facts are written from codes, not copied from the statement."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import date

from probandi.domain.statements import (
    APPEAL_DISMISSED,
    APPEAL_GRANTED,
    APPROVAL_KEPT,
    APPROVAL_REVOKED,
    APPROVAL_REVOKED_PROOF_STANDS,
    COUNTER_ACCEPTED,
    DEADLINE_REMOVED,
    LISTING_HELD,
    LISTING_RESTORED,
    NOTICE_SUSPENDED,
    NOTICE_UPHELD,
    PROOF_APPROVED,
    PROOF_APPROVED_ON_CREDENTIAL,
    PROOF_REJECTED,
    SHOP_CLOSED,
    VOUCHER_REJECTED,
    StatementOfReasons,
)

EU_EEA = [
    "AT",
    "BE",
    "BG",
    "CY",
    "CZ",
    "DE",
    "DK",
    "EE",
    "ES",
    "FI",
    "FR",
    "GR",
    "HR",
    "HU",
    "IE",
    "IS",
    "IT",
    "LI",
    "LT",
    "LU",
    "LV",
    "MT",
    "NL",
    "NO",
    "PL",
    "PT",
    "RO",
    "SE",
    "SI",
    "SK",
]
CATEGORY = "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS"
KEYWORDS = ("KEYWORD_TRADEMARK_INFRINGEMENT",)
MAX_FACTS = 5000
PUID = re.compile(r"^[A-Za-z0-9_-]{1,500}$")
TERMS_GROUND = "probandi gated-brand policy: listings of gated brands need proof of authenticity"
TRADEMARK_LAW = (
    "Regulation (EU) 2017/1001 Art. 9 and Directive (EU) 2015/2436 Art. 10: goods bearing a "
    "registered trade mark offered without the proprietor's consent"
)


class Measure(enum.StrEnum):
    """What a statement decided, as the record needs it."""

    HOLD = "hold"  # a gated listing held until proof is approved
    VOUCHER_REJECTED = "voucher_rejected"  # automatically, on a hard finding
    PROOF_REJECTED = "proof_rejected"  # by a reviewer
    APPROVAL_REVOKED = "approval_revoked"  # held again
    DEADLINE_REMOVAL = "deadline_removal"  # no proof by the deadline
    NOTICE_SUSPENSION = "notice_suspension"  # on a rights holder's notice
    NOTICE_UPHELD = "notice_upheld"  # removed
    SHOP_CLOSED = "shop_closed"  # the seller's account
    NOTICE_LIFTED = "notice_lifted"  # a listing restored: the notice withdrawn or not borne out
    APPEAL_REVERSAL = "appeal_reversal"  # an internal complaint granted: the restriction ends
    NO_RESTRICTION = "no_restriction"  # approvals: nothing to report


MEASURES: dict[str, Measure] = {
    LISTING_HELD: Measure.HOLD,
    VOUCHER_REJECTED: Measure.VOUCHER_REJECTED,
    PROOF_REJECTED: Measure.PROOF_REJECTED,
    APPROVAL_REVOKED: Measure.APPROVAL_REVOKED,
    DEADLINE_REMOVED: Measure.DEADLINE_REMOVAL,
    NOTICE_SUSPENDED: Measure.NOTICE_SUSPENSION,
    NOTICE_UPHELD: Measure.NOTICE_UPHELD,
    SHOP_CLOSED: Measure.SHOP_CLOSED,
    LISTING_RESTORED: Measure.NOTICE_LIFTED,
    APPEAL_GRANTED: Measure.APPEAL_REVERSAL,
    APPROVAL_REVOKED_PROOF_STANDS: Measure.NO_RESTRICTION,
    APPEAL_DISMISSED: Measure.NO_RESTRICTION,  # the restriction stands: recorded already
    COUNTER_ACCEPTED: Measure.NO_RESTRICTION,  # the listing stays suspended: recorded already
    PROOF_APPROVED: Measure.NO_RESTRICTION,
    APPROVAL_KEPT: Measure.NO_RESTRICTION,
    PROOF_APPROVED_ON_CREDENTIAL: Measure.NO_RESTRICTION,
}


def measure_of(statement: StatementOfReasons) -> Measure:
    found = MEASURES.get(statement.measure)
    if found is None:
        raise ValueError(f"no Transparency Database mapping for the measure {statement.measure!r}")
    return found


@dataclass(frozen=True)
class Rule:
    """The record's decision fields for one measure."""

    visibility: str | None  # DECISION_VISIBILITY_*
    account: str | None  # DECISION_ACCOUNT_*
    provision: str | None  # DECISION_PROVISION_*
    illegal: bool  # ground: illegal content (a notice), else incompatible with the terms
    detected_automatically: bool  # how the content was found
    facts: str
    lifted: bool = False  # the record reports the end of a restriction, on its date


REMOVED = "DECISION_VISIBILITY_CONTENT_REMOVED"
DISABLED = "DECISION_VISIBILITY_CONTENT_DISABLED"
RULES: dict[Measure, Rule] = {
    Measure.HOLD: Rule(
        DISABLED,
        None,
        None,
        False,
        True,
        "A product listing naming a brand whose listings need proof of authenticity was "
        "withheld from publication until the seller's proof is approved.",
    ),
    Measure.VOUCHER_REJECTED: Rule(
        DISABLED,
        None,
        None,
        False,
        True,
        "The seller's proof of authenticity failed automatic checks; the listing stays "
        "withheld until other proof is approved.",
    ),
    Measure.PROOF_REJECTED: Rule(
        DISABLED,
        None,
        None,
        False,
        True,
        "A reviewer found the seller's proof of authenticity insufficient; the listing "
        "stays withheld until other proof is approved.",
    ),
    Measure.APPROVAL_REVOKED: Rule(
        DISABLED,
        None,
        None,
        False,
        True,
        "An earlier approval of the seller's proof was withdrawn; the listing is withheld "
        "until new proof is approved.",
    ),
    Measure.DEADLINE_REMOVAL: Rule(
        REMOVED,
        None,
        None,
        False,
        True,
        "The seller supplied no acceptable proof of authenticity by the deadline; the "
        "listing was removed.",
    ),
    Measure.NOTICE_SUSPENSION: Rule(
        DISABLED,
        None,
        None,
        True,
        False,
        "A rights holder notified the listing as counterfeit; it was suspended while the "
        "seller may prove the goods genuine.",
    ),
    Measure.NOTICE_UPHELD: Rule(
        REMOVED,
        None,
        None,
        True,
        False,
        "A rights holder's notice that the listing offers counterfeit goods was upheld; the "
        "listing was removed.",
    ),
    Measure.SHOP_CLOSED: Rule(
        DISABLED,
        "DECISION_ACCOUNT_SUSPENDED",
        "DECISION_PROVISION_TOTAL_SUSPENSION",
        False,
        False,
        "The seller's account was suspended for repeated counterfeit listings under the "
        "repeat-infringer policy; none of its listings may be published.",
    ),
    Measure.NOTICE_LIFTED: Rule(
        DISABLED,
        None,
        None,
        True,
        False,
        "A listing suspended on a rights holder's notice of counterfeit goods was restored: "
        "the notice was withdrawn, or the seller's proof prevailed. The restriction ends on "
        "the date given.",
        lifted=True,
    ),
    Measure.APPEAL_REVERSAL: Rule(
        DISABLED,
        None,
        None,
        False,
        False,
        "On the seller's internal complaint, a person reversed an earlier restriction of the "
        "listing. The restriction ends on the date given.",
        lifted=True,
    ),
}


@dataclass(frozen=True)
class RecordContext:
    """What the record needs beyond the statement, all free of personal data."""

    content_date: date  # when the listing was first pushed
    trusted_flagger: bool = False  # the notice came from a trusted flagger
    finding_codes: tuple[str, ...] = ()  # the hard findings behind a rejection
    territorial_scope: tuple[str, ...] = tuple(EU_EEA)


@dataclass(frozen=True)
class StatementFacts:
    """A statement as read for export, with the context its record needs."""

    statement: StatementOfReasons
    content_date: date
    trusted_flagger: bool = False
    finding_codes: tuple[str, ...] = ()

    def record(
        self, territorial_scope: tuple[str, ...] = tuple(EU_EEA)
    ) -> dict[str, object] | None:
        ctx = RecordContext(
            self.content_date, self.trusted_flagger, self.finding_codes, territorial_scope
        )
        return to_record(self.statement, ctx)


def to_record(statement: StatementOfReasons, ctx: RecordContext) -> dict[str, object] | None:
    """The Transparency Database statement for `statement`, or None when it restricts
    nothing. `puid` is the statement's id, so a resent record is recognized."""
    measure = measure_of(statement)
    if measure is Measure.NO_RESTRICTION:
        return None
    rule = RULES[measure]
    if not PUID.match(statement.id):
        raise ValueError(f"statement id {statement.id!r} is not a valid puid")
    record: dict[str, object] = {
        "puid": statement.id,
        "decision_ground": (
            "DECISION_GROUND_ILLEGAL_CONTENT"
            if rule.illegal
            else "DECISION_GROUND_INCOMPATIBLE_CONTENT"
        ),
        "category": CATEGORY,
        "category_specification": list(KEYWORDS),
        "content_type": ["CONTENT_TYPE_PRODUCT"],
        "content_date": max(ctx.content_date, date(2000, 1, 1)).isoformat(),
        "application_date": statement.created_at.date().isoformat(),
        "territorial_scope": sorted(set(ctx.territorial_scope) & set(EU_EEA)),
        "decision_facts": _facts(rule, ctx),
        "source_type": _source(measure, ctx),
        "automated_detection": "Yes" if rule.detected_automatically else "No",
        "automated_decision": (
            "AUTOMATED_DECISION_FULLY"
            if statement.automated
            else "AUTOMATED_DECISION_NOT_AUTOMATED"
        ),
        "account_type": "ACCOUNT_TYPE_BUSINESS",
    }
    if rule.visibility:
        record["decision_visibility"] = [rule.visibility]
        if rule.lifted:
            record["end_date_visibility_restriction"] = record["application_date"]
    if rule.account:
        record["decision_account"] = rule.account
    if rule.provision:
        record["decision_provision"] = rule.provision
    if rule.illegal:
        record["illegal_content_legal_ground"] = TRADEMARK_LAW
        record["illegal_content_explanation"] = (
            "The rights holder notified the listing as offering counterfeit goods bearing its "
            "registered trade mark."
        )
    else:
        record["incompatible_content_ground"] = TERMS_GROUND
        record["incompatible_content_explanation"] = rule.facts[:2000]
        record["incompatible_content_illegal"] = "No"
    return record


def _source(measure: Measure, ctx: RecordContext) -> str:
    if measure in (Measure.NOTICE_SUSPENSION, Measure.NOTICE_UPHELD, Measure.NOTICE_LIFTED):
        return "SOURCE_TRUSTED_FLAGGER" if ctx.trusted_flagger else "SOURCE_ARTICLE_16"
    return "SOURCE_VOLUNTARY"


def _facts(rule: Rule, ctx: RecordContext) -> str:
    """The rule's facts, and the codes of the findings behind it: codes only, never the
    findings' messages (they may quote a document)."""
    codes = sorted({c for c in ctx.finding_codes if re.fullmatch(r"[a-z_]+\.[a-z_]+", c)})
    text = rule.facts + (f" Checks that failed: {', '.join(codes)}." if codes else "")
    return text[:MAX_FACTS]


# --- submission ----------------------------------------------------------------------------
BATCH_SIZE = 100  # the database's limit per call


class SubmissionState(enum.StrEnum):
    PENDING = "pending"  # to send, or to send again after a failure
    ACCEPTED = "accepted"  # stored by the database (or found there already, by puid)
    REFUSED = "refused"  # the database's rules refused it: kept with its errors
    SKIPPED = "skipped"  # the statement restricts nothing: no record


@dataclass(frozen=True)
class BatchOutcome:
    """What the database made of one batch. A refused batch stores nothing, so the records
    it did not object to are sent again in the next batch."""

    accepted: frozenset[str] = frozenset()  # stored now
    existing: frozenset[str] = frozenset()  # stored before: accepted once already
    refused: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # puid -> errors
    transient: str | None = None  # no verdict (down, 5xx, 429): everything waits and retries

    def settled(self) -> frozenset[str]:
        return self.accepted | self.existing | frozenset(self.refused)
