"""The transparency report (DSA Art. 15 and 24) for a period: what it holds, how its
durations are summarized, and its CSV laid out like the harmonised template of Implementing
Regulation (EU) 2024/2835, Annex I (the quantitative template's sections 1.1 to 1.6, as far
as a marketplace of this kind fills them).

Pure. Figures are counts over the half-open period [start, end); a duration's median and
90th percentile are nearest-rank (the smallest value at or above that share of the sorted
values), so every figure is a value that occurred."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime

from probandi.domain.transparency import CATEGORY, RULES, Measure

CSV_HEADER = ("section", "section_title", "indicator", "breakdown", "value")
SECTIONS = {
    "1.1": "Report identification",
    "1.3": "Article 15(1)(b). Notices submitted in accordance with Article 16",
    "1.4": "Article 15(1)(c). Own-initiative content moderation",
    "1.5": "Articles 15(1)(d), 24(1)(a) and 24(1)(b). Internal complaints, out-of-court "
    "dispute settlement and suspensions",
    "1.6": "Article 15(1)(b)(c)(e). Use of automated means and indicators of accuracy",
}
NOTICE_MEASURES = frozenset({Measure.NOTICE_SUSPENSION, Measure.NOTICE_UPHELD})


def nearest_rank(ordered: Sequence[float], share: float) -> float:
    """The nearest-rank percentile of sorted values: the ceil(share * n)-th smallest."""
    if not ordered:
        raise ValueError("no values")
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]


@dataclass(frozen=True)
class Durations:
    """How long something took, in hours: count, median and 90th percentile."""

    count: int
    median_hours: float | None
    p90_hours: float | None

    @classmethod
    def of_seconds(cls, seconds: Iterable[float]) -> Durations:
        ordered = sorted(max(0.0, s) for s in seconds)
        if not ordered:
            return cls(0, None, None)
        return cls(
            len(ordered),
            round(nearest_rank(ordered, 0.5) / 3600, 2),
            round(nearest_rank(ordered, 0.9) / 3600, 2),
        )


@dataclass(frozen=True)
class ActionCount:
    """Restrictions of one kind: measure, ground, and how they were found and decided."""

    measure: str
    ground: str  # "illegal_content" (a notice) or "terms_of_service"
    source: str  # "notice", "trusted_flagger" or "own_initiative"
    automated_detection: bool
    automated_decision: bool
    count: int


@dataclass(frozen=True)
class AutomatedMeans:
    """One automated means in use: how often it decided, and where a person later ruled on
    what it flagged, how often the person agreed (precision)."""

    name: str
    purpose: str
    decisions: int
    human_ruled: int
    human_agreed: int

    @property
    def precision(self) -> float | None:
        return round(self.human_agreed / self.human_ruled, 4) if self.human_ruled else None


@dataclass(frozen=True)
class TransparencyReport:
    start: datetime
    end: datetime
    generated_at: datetime
    provider: str
    # notices (Art. 16)
    notices_received: int
    notified_listings: int
    notices_by_source: dict[str, int]  # notice / trusted_flagger: notices
    notified_listings_by_brand: dict[str, int]
    notice_outcomes: dict[str, int]  # item state: listings, of the notices received
    notice_to_first_action: Durations
    notice_to_outcome: Durations
    # actions (statements of reasons issued)
    actions: tuple[ActionCount, ...]
    # proof
    vouchers_received: int
    proof_decisions: dict[str, int]  # approved / rejected: vouchers decided in the period
    rejected_by_finding: dict[str, int]  # hard finding code: rejected vouchers carrying it
    removed_at_deadline: int
    upload_to_decision: Durations
    # internal complaints (Art. 20)
    appeals_received: int
    appeals_decided: int
    appeals_reversed: int
    appeal_to_decision: Durations
    appeals_by_subject: dict[str, int]
    # suspensions (Art. 23) and closures
    notifiers_suspended: int
    sellers_suspended: int
    # trusted flaggers (Art. 22)
    trusted_notices: int
    trusted_listings: int
    trusted_upheld: int
    trusted_not_upheld: int  # restored, or reversed on appeal
    automated_means: tuple[AutomatedMeans, ...] = field(default=())

    @property
    def trusted_accuracy(self) -> float | None:
        ruled = self.trusted_upheld + self.trusted_not_upheld
        return round(self.trusted_upheld / ruled, 4) if ruled else None

    def actions_by_measure(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for a in self.actions:
            totals[a.measure] = totals.get(a.measure, 0) + a.count
        return dict(sorted(totals.items()))

    def as_json(self) -> dict[str, object]:
        """The report as plain JSON values."""
        body = asdict(self)
        body["start"], body["end"] = self.start.isoformat(), self.end.isoformat()
        body["generated_at"] = self.generated_at.isoformat()
        body["trusted_accuracy"] = self.trusted_accuracy
        body["actions_by_measure"] = self.actions_by_measure()
        body["actions_total"] = sum(a.count for a in self.actions)
        body["automated_means"] = [
            {**asdict(m), "precision": m.precision} for m in self.automated_means
        ]
        return body


def action_kind(measure: Measure, automated: bool, trusted: bool) -> ActionCount:
    """The report's row for restrictions of `measure` (count 0), from the record's rule."""
    rule = RULES[measure]
    if measure in NOTICE_MEASURES or measure is Measure.NOTICE_LIFTED:
        source = "trusted_flagger" if trusted else "notice"
    else:
        source = "own_initiative"
    return ActionCount(
        measure.value,
        "illegal_content" if rule.illegal else "terms_of_service",
        source,
        rule.detected_automatically,
        automated,
        0,
    )


Row = tuple[str, str, str, str, str]


def csv_rows(report: TransparencyReport) -> Iterator[Row]:
    """The report as (section, section title, indicator, breakdown, value) rows, in the
    order of the harmonised template's quantitative sections."""

    def row(section: str, indicator: str, breakdown: str, value: object) -> Row:
        text = "" if value is None else str(value)
        return (section, SECTIONS[section], indicator, breakdown, text)

    r = report
    yield from (
        row("1.1", "Provider", "", r.provider),
        row("1.1", "Reporting period start", "", r.start.date().isoformat()),
        row("1.1", "Reporting period end (exclusive)", "", r.end.date().isoformat()),
        row("1.1", "Type of content", "", "products (marketplace listings)"),
        row("1.1", "Category of illegal content", "", CATEGORY),
        row("1.3", "Number of notices received", "total", r.notices_received),
    )
    for source, n in sorted(r.notices_by_source.items()):
        yield row("1.3", "Number of notices received", f"source={source}", n)
    yield row("1.3", "Number of items notified", "total", r.notified_listings)
    for brand, n in sorted(r.notified_listings_by_brand.items()):
        yield row("1.3", "Number of items notified", f"brand={brand}", n)
    yield row("1.3", "Notices submitted by trusted flaggers", "", r.trusted_notices)
    for outcome, n in sorted(r.notice_outcomes.items()):
        yield row("1.3", "Actions taken on notified items", f"outcome={outcome}", n)
    notice_actions = [a for a in r.actions if a.source != "own_initiative"]
    for ground in ("illegal_content", "terms_of_service"):
        n = sum(a.count for a in notice_actions if a.ground == ground)
        yield row("1.3", "Actions taken on notices", f"basis={ground}", n)
    yield row(
        "1.3",
        "Actions on notices taken by automated means",
        "",
        sum(a.count for a in notice_actions if a.automated_decision),
    )
    for name, d in (("first action", r.notice_to_first_action), ("outcome", r.notice_to_outcome)):
        yield row("1.3", f"Median time from notice to {name} (hours)", "", d.median_hours)
        yield row("1.3", f"90th percentile time from notice to {name} (hours)", "", d.p90_hours)
    own = [a for a in r.actions if a.source == "own_initiative"]
    for a in own:
        breakdown = (
            f"measure={a.measure};detection={'automated' if a.automated_detection else 'manual'};"
            f"decision={'automated' if a.automated_decision else 'manual'}"
        )
        yield row("1.4", "Own-initiative restrictions", breakdown, a.count)
    yield row("1.4", "Vouchers (proof of authenticity) received", "", r.vouchers_received)
    for outcome, n in sorted(r.proof_decisions.items()):
        yield row("1.4", "Proof decisions", f"outcome={outcome}", n)
    for code, n in sorted(r.rejected_by_finding.items()):
        yield row("1.4", "Proof rejected", f"finding={code}", n)
    yield row("1.4", "Listings removed at the proof deadline", "", r.removed_at_deadline)
    yield row(
        "1.4", "Median time from upload to decision (hours)", "", r.upload_to_decision.median_hours
    )
    yield row(
        "1.4",
        "90th percentile time from upload to decision (hours)",
        "",
        r.upload_to_decision.p90_hours,
    )
    yield row(
        "1.5", "Complaints received (internal complaint-handling)", "total", r.appeals_received
    )
    for subject, n in sorted(r.appeals_by_subject.items()):
        yield row(
            "1.5", "Complaints received (internal complaint-handling)", f"subject={subject}", n
        )
    yield row("1.5", "Complaints decided", "", r.appeals_decided)
    yield row("1.5", "Decisions reversed on complaint", "", r.appeals_reversed)
    yield row(
        "1.5", "Median time to decide a complaint (hours)", "", r.appeal_to_decision.median_hours
    )
    yield row("1.5", "Disputes submitted to out-of-court settlement bodies", "", "not recorded")
    yield row(
        "1.5", "Suspensions (Art. 23)", "reason=manifestly_unfounded_notices", r.notifiers_suspended
    )
    yield row(
        "1.5", "Suspensions (Art. 23)", "reason=manifestly_illegal_content", r.sellers_suspended
    )
    yield row("1.5", "Suspensions (Art. 23)", "reason=manifestly_unfounded_complaints", 0)
    yield row("1.6", "Trusted-flagger items upheld", "", r.trusted_upheld)
    yield row("1.6", "Trusted-flagger items not upheld", "", r.trusted_not_upheld)
    yield row("1.6", "Trusted-flagger accuracy", "", r.trusted_accuracy)
    for m in r.automated_means:
        yield row("1.6", "Automated means: decisions", f"means={m.name}", m.decisions)
        yield row("1.6", "Automated means: ruled on by a person", f"means={m.name}", m.human_ruled)
        yield row(
            "1.6", "Automated means: precision where a person ruled", f"means={m.name}", m.precision
        )
