"""Read side: the transparency report for a period (DSA Art. 15 and 24), computed in the
database with grouped counts; only durations and the findings of rejected vouchers are read
row by row (one number or one small document each).

Periods are half-open, [start, end), and each figure counts its own event in it: notices by
when they were received, actions by when their statement was issued, vouchers by upload or
decision, complaints by filing or decision."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Float, Select, and_, cast, func, select
from sqlalchemy.orm import Session

from probandi.adapters.db.rows import (
    AppealRow,
    AuditRow,
    NoticeItemRow,
    NoticeRow,
    StatementRow,
    VoucherRow,
)
from probandi.domain.actors import Actor, Role
from probandi.domain.appeals import AppealState, AppealSubject
from probandi.domain.notices import ItemState
from probandi.domain.policy import Policy
from probandi.domain.reporting import (
    ActionCount,
    AutomatedMeans,
    Durations,
    TransparencyReport,
    action_kind,
)
from probandi.domain.statements import (
    DEADLINE_REMOVED,
    LISTING_HELD,
    NOTICE_UPHELD,
    PROOF_APPROVED_ON_CREDENTIAL,
    SHOP_CLOSED,
    VOUCHER_REJECTED,
)
from probandi.domain.transparency import MEASURES, Measure
from probandi.domain.vouchers import Severity, VoucherStatus
from probandi.services.access import require_role
from probandi.services.transparency import check_period

log = logging.getLogger("probandi.report")
NOTIFIER_SUSPENDED = "rights_holder:standing:suspended"  # the audit tag of Art. 23 suspensions
NOT_UPHELD = (ItemState.RESTORED.value, ItemState.REVERSED.value)


def transparency_report(
    session: Session,
    actor: Actor,
    start: datetime,
    end: datetime,
    *,
    now: datetime,
    policy: Policy,
) -> TransparencyReport:
    require_role(actor, Role.ADMIN)
    check_period(start, end, max_days=policy.report_max_days)
    q = _Period(session, start, end)
    actions, automated_by_text = q.actions()
    states, trusted_states, by_brand = q.notice_items()
    by_source = q.notices_by_trust()
    by_finding, flagged_ruled, flagged_rejected = q.decided_vouchers()
    return TransparencyReport(
        start=start,
        end=end,
        generated_at=now,
        provider=policy.provider_name,
        notices_received=sum(by_source.values()),
        notified_listings=sum(states.values()),
        notices_by_source=by_source,
        notified_listings_by_brand=by_brand,
        notice_outcomes=dict(sorted(states.items())),
        notice_to_first_action=Durations.of_seconds(q.notice_to_first_action()),
        notice_to_outcome=Durations.of_seconds(q.notice_to_outcome()),
        actions=tuple(actions),
        vouchers_received=q.count(VoucherRow.created_at),
        proof_decisions=q.proof_decisions(),
        rejected_by_finding=by_finding,
        removed_at_deadline=sum(
            a.count for a in actions if a.measure == Measure.DEADLINE_REMOVAL.value
        ),
        upload_to_decision=Durations.of_seconds(q.upload_to_decision()),
        appeals_received=q.count(AppealRow.created_at),
        appeals_decided=q.appeals_decided(),
        appeals_reversed=q.appeals_decided(AppealState.GRANTED),
        appeal_to_decision=Durations.of_seconds(q.appeal_to_decision()),
        appeals_by_subject=q.appeals_by_subject(),
        notifiers_suspended=q.audit_count(NOTIFIER_SUSPENDED),
        sellers_suspended=q.sellers_closed(),
        trusted_notices=by_source.get("trusted_flagger", 0),
        trusted_listings=sum(trusted_states.values()),
        trusted_upheld=trusted_states.get(ItemState.UPHELD.value, 0),
        trusted_not_upheld=sum(trusted_states.get(s, 0) for s in NOT_UPHELD),
        automated_means=q.automated_means(automated_by_text, flagged_ruled, flagged_rejected),
    )


class _Period:
    """The report's queries over one period."""

    def __init__(self, session: Session, start: datetime, end: datetime) -> None:
        self.s, self.start, self.end = session, start, end
        self.sqlite = session.get_bind().dialect.name == "sqlite"

    def within(self, column: Any) -> ColumnElement[bool]:
        return and_(column >= self.start, column < self.end)

    def seconds(self, later: Any, earlier: Any) -> ColumnElement[float]:
        """`later - earlier` in seconds, computed by the database."""
        if self.sqlite:
            return (func.julianday(later) - func.julianday(earlier)) * 86400.0
        return cast(func.extract("epoch", later - earlier), Float)

    def floats(self, query: Select[Any]) -> list[float]:
        return [float(v) for v in self.s.execute(query).scalars() if v is not None]

    def count(self, column: Any) -> int:
        return int(self.s.execute(select(func.count()).where(self.within(column))).scalar_one())

    # --- notices ---------------------------------------------------------------------
    def notices_by_trust(self) -> dict[str, int]:
        rows = self.s.execute(
            select(NoticeRow.trusted, func.count())
            .where(self.within(NoticeRow.created_at))
            .group_by(NoticeRow.trusted)
        ).all()
        found = {("trusted_flagger" if t else "notice"): int(n) for t, n in rows}
        return {
            "notice": found.get("notice", 0),
            "trusted_flagger": found.get("trusted_flagger", 0),
        }

    def notice_items(self) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
        """The listings the period's notices named, in one pass: by state, by state for
        trusted flaggers' notices, and by brand."""
        rows = self.s.execute(
            select(NoticeItemRow.state, NoticeRow.trusted, NoticeItemRow.brand_id, func.count())
            .join(NoticeRow, NoticeRow.id == NoticeItemRow.notice_id)
            .where(self.within(NoticeRow.created_at))
            .group_by(NoticeItemRow.state, NoticeRow.trusted, NoticeItemRow.brand_id)
        ).all()
        states: Counter[str] = Counter()
        trusted: Counter[str] = Counter()
        brands: Counter[str] = Counter()
        for state, is_trusted, brand, n in rows:
            states[state] += int(n)
            brands[brand] += int(n)
            if is_trusted:
                trusted[state] += int(n)
        return dict(states), dict(trusted), dict(sorted(brands.items()))

    def notice_to_first_action(self) -> list[float]:
        first = (
            select(StatementRow.notice_id, func.min(StatementRow.created_at).label("at"))
            .where(StatementRow.notice_id.is_not(None))
            .group_by(StatementRow.notice_id)
            .subquery()
        )
        return self.floats(
            select(self.seconds(first.c.at, NoticeRow.created_at))
            .join(first, first.c.notice_id == NoticeRow.id)
            .where(self.within(NoticeRow.created_at))
        )

    def notice_to_outcome(self) -> list[float]:
        return self.floats(
            select(self.seconds(NoticeItemRow.closed_at, NoticeRow.created_at))
            .join(NoticeRow, NoticeRow.id == NoticeItemRow.notice_id)
            .where(self.within(NoticeRow.created_at), NoticeItemRow.closed_at.is_not(None))
        )

    # --- actions ---------------------------------------------------------------------
    def actions(self) -> tuple[list[ActionCount], Counter[str]]:
        """Restrictions issued in the period, by kind (statements that restrict nothing
        are not actions); and the automated statements of every measure text."""
        rows = self.s.execute(
            select(StatementRow.measure, StatementRow.automated, NoticeRow.trusted, func.count())
            .outerjoin(NoticeRow, NoticeRow.id == StatementRow.notice_id)
            .where(self.within(StatementRow.created_at))
            .group_by(StatementRow.measure, StatementRow.automated, NoticeRow.trusted)
        ).all()
        counts: Counter[ActionCount] = Counter()
        automated_by_text: Counter[str] = Counter()
        for text, automated, trusted, n in rows:
            if automated:
                automated_by_text[text] += int(n)
            measure = MEASURES.get(text)
            if measure is None:
                log.warning("statements of an unmapped measure left out: %r", text)
                continue
            if measure is not Measure.NO_RESTRICTION:
                counts[action_kind(measure, bool(automated), bool(trusted))] += int(n)
        actions = [
            ActionCount(**{**vars(kind), "count": n})
            for kind, n in sorted(counts.items(), key=lambda kv: (kv[0].measure, -kv[1]))
        ]
        return actions, automated_by_text

    def sellers_closed(self) -> int:
        return int(
            self.s.execute(
                select(func.count(func.distinct(StatementRow.seller_id))).where(
                    self.within(StatementRow.created_at), StatementRow.measure == SHOP_CLOSED
                )
            ).scalar_one()
        )

    def audit_count(self, tag: str) -> int:
        return int(
            self.s.execute(
                select(func.count()).where(self.within(AuditRow.at), AuditRow.tag == tag)
            ).scalar_one()
        )

    # --- proof -----------------------------------------------------------------------
    def proof_decisions(self) -> dict[str, int]:
        rows = self.s.execute(
            select(VoucherRow.status, func.count())
            .where(
                self.within(VoucherRow.decided_at),
                VoucherRow.status.in_([VoucherStatus.APPROVED.value, VoucherStatus.REJECTED.value]),
            )
            .group_by(VoucherRow.status)
        ).all()
        found = {status: int(n) for status, n in rows}
        return {
            s.value: found.get(s.value, 0) for s in (VoucherStatus.APPROVED, VoucherStatus.REJECTED)
        }

    def decided_vouchers(self) -> tuple[dict[str, int], int, int]:
        """From the findings of the vouchers decided in the period: rejections by hard
        finding code, and how the vouchers the checks flagged with a warning (and did not
        reject at once) fared with the person who decided them: (by code, ruled, rejected).
        A rejection is the person agreeing with the flag."""
        codes: Counter[str] = Counter()
        ruled = rejected = 0
        for status, findings in self.s.execute(
            select(VoucherRow.status, VoucherRow.findings).where(
                self.within(VoucherRow.decided_at),
                VoucherRow.status.in_([VoucherStatus.APPROVED.value, VoucherStatus.REJECTED.value]),
                func.json_array_length(VoucherRow.findings) > 0,  # no findings: nothing to count
            )
        ).all():
            severities = {f.get("severity") for f in findings or ()}
            refused = status == VoucherStatus.REJECTED.value
            if refused:
                hard = {f.get("code") for f in findings or () if f.get("severity") == Severity.HARD}
                codes.update(str(c) for c in hard if c)
            if Severity.WARNING in severities and Severity.HARD not in severities:
                ruled += 1
                rejected += refused
        return dict(sorted(codes.items())), ruled, rejected

    def upload_to_decision(self) -> list[float]:
        return self.floats(
            select(self.seconds(VoucherRow.decided_at, VoucherRow.created_at)).where(
                self.within(VoucherRow.decided_at),
                VoucherRow.status.in_([VoucherStatus.APPROVED.value, VoucherStatus.REJECTED.value]),
            )
        )

    # --- complaints ------------------------------------------------------------------
    def appeals_decided(self, state: AppealState | None = None) -> int:
        query = select(func.count()).where(
            self.within(AppealRow.decided_at), AppealRow.state != AppealState.OPEN.value
        )
        if state is not None:
            query = query.where(AppealRow.state == state.value)
        return int(self.s.execute(query).scalar_one())

    def appeal_to_decision(self) -> list[float]:
        return self.floats(
            select(self.seconds(AppealRow.decided_at, AppealRow.created_at)).where(
                self.within(AppealRow.decided_at), AppealRow.state != AppealState.OPEN.value
            )
        )

    def appeals_by_subject(self) -> dict[str, int]:
        rows = self.s.execute(
            select(AppealRow.subject, func.count())
            .where(self.within(AppealRow.created_at))
            .group_by(AppealRow.subject)
        ).all()
        return dict(sorted((subject, int(n)) for subject, n in rows))

    # --- automated means -------------------------------------------------------------
    def automated_means(
        self, automated: Counter[str], flagged_ruled: int, flagged_rejected: int
    ) -> tuple[AutomatedMeans, ...]:
        appealed = self.s.execute(
            select(AppealRow.state, func.count())
            .where(
                self.within(AppealRow.decided_at),
                AppealRow.state != AppealState.OPEN.value,
                AppealRow.subject == AppealSubject.NOTICE_ITEM.value,
                AppealRow.original_decider.is_(None),
            )
            .group_by(AppealRow.state)
        ).all()
        ruled = {state: int(n) for state, n in appealed}
        return (
            AutomatedMeans(
                "brand_screening",
                "holds listings that name a gated brand until proof is approved",
                automated[LISTING_HELD],
                0,
                0,
            ),
            AutomatedMeans(
                "voucher_checks",
                "reject forged or recycled proof; flag doubtful proof for a person",
                automated[VOUCHER_REJECTED],
                flagged_ruled,
                flagged_rejected,
            ),
            AutomatedMeans(
                "credential_verification",
                "approve proof signed by the rights holder with a registered key",
                automated[PROOF_APPROVED_ON_CREDENTIAL],
                0,
                0,
            ),
            AutomatedMeans(
                "notice_deadlines",
                "uphold a notice the seller did not answer, remove at the proof deadline",
                automated[NOTICE_UPHELD] + automated[DEADLINE_REMOVED],
                sum(ruled.values()),
                ruled.get(AppealState.DISMISSED.value, 0),
            ),
        )
