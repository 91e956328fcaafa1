"""Statements read by period for the DSA Transparency Database, with what their records need
and nothing more: the listing's first date, whether a notice came from a trusted flagger,
and the codes of a voucher's hard findings."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, and_, bindparam, func, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from probandi.adapters.db.repositories import core
from probandi.adapters.db.rows import (
    Base,
    Json,
    ListingRow,
    NoticeRow,
    StatementRow,
    VoucherRow,
    table_of,
)
from probandi.adapters.db.types import UtcDateTime
from probandi.domain.statements import StatementOfReasons
from probandi.domain.transparency import StatementFacts, SubmissionState


class DsaSubmissionRow(Base):
    __tablename__ = "dsa_submissions"
    puid: Mapped[str] = mapped_column(String(32), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    settled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    errors: Mapped[dict[str, list[str]] | None] = mapped_column(Json)


STATEMENTS, LISTINGS = table_of(StatementRow), table_of(ListingRow)
NOTICES, VOUCHERS = table_of(NoticeRow), table_of(VoucherRow)
SUBMISSIONS = table_of(DsaSubmissionRow)


class SqlTransparencySource:
    def __init__(self, session: Session) -> None:
        self.s = session

    def statements_between(
        self, since: datetime, until: datetime, *, after: tuple[datetime, str] | None, limit: int
    ) -> list[StatementFacts]:
        """Statements issued in [since, until), in (created_at, id) order after `after`."""
        st = STATEMENTS.c
        stmt = _with_context().where(st.created_at >= since, st.created_at < until).limit(limit)
        if after is not None:
            stmt = stmt.where(
                (st.created_at > after[0]) | and_(st.created_at == after[0], st.id > after[1])
            )
        return [_facts(r) for r in core(self.s).execute(stmt)]

    # submissions
    def unsent(self, now: datetime, limit: int) -> list[StatementFacts]:
        """Statements never sent, then pending ones whose retry is due, oldest first."""
        sub = SUBMISSIONS.c
        stmt = (
            _with_context()
            .outerjoin(SUBMISSIONS, sub.puid == STATEMENTS.c.id)
            .where(
                or_(
                    sub.puid.is_(None),
                    and_(sub.state == SubmissionState.PENDING.value, sub.next_attempt_at <= now),
                )
            )
            .limit(limit)
        )
        return [_facts(r) for r in core(self.s).execute(stmt)]

    def open_submissions(self, puids: Collection[str], now: datetime) -> None:
        """A pending row for each puid that has none yet."""
        conn = core(self.s)
        have = {
            r.puid
            for r in conn.execute(
                select(SUBMISSIONS.c.puid).where(SUBMISSIONS.c.puid.in_(list(puids)))
            )
        }
        fresh = [p for p in puids if p not in have]
        if fresh:
            conn.execute(
                SUBMISSIONS.insert(),
                [
                    {
                        "puid": p,
                        "state": SubmissionState.PENDING.value,
                        "attempts": 0,
                        "next_attempt_at": now,
                        "created_at": now,
                    }
                    for p in fresh
                ],
            )

    def settle(
        self,
        state: SubmissionState,
        puids: Collection[str],
        now: datetime,
        errors: Mapping[str, Mapping[str, list[str]]] | None = None,
    ) -> None:
        if not puids:
            return
        stmt = (
            update(SUBMISSIONS)
            .where(SUBMISSIONS.c.puid == bindparam("b_puid"))
            .values(
                state=state.value,
                settled_at=now,
                attempts=SUBMISSIONS.c.attempts + 1,
                errors=bindparam("b_errors"),
                last_error=None,
            )
        )
        found = errors or {}
        rows = [{"b_puid": p, "b_errors": dict(found.get(p, {})) or None} for p in puids]
        core(self.s).execute(stmt, rows)

    def retry_later(self, puids: Collection[str], at: datetime, error: str) -> None:
        if puids:
            core(self.s).execute(
                update(SUBMISSIONS)
                .where(SUBMISSIONS.c.puid.in_(list(puids)))
                .values(
                    attempts=SUBMISSIONS.c.attempts + 1, next_attempt_at=at, last_error=error[:500]
                )
            )

    def attempts_of(self, puids: Collection[str]) -> int:
        stmt = select(func.max(SUBMISSIONS.c.attempts)).where(SUBMISSIONS.c.puid.in_(list(puids)))
        return int(core(self.s).execute(stmt).scalar() or 0)

    def resend_refused(self, puids: Collection[str] | None, now: datetime) -> int:
        """Refused records back to pending (after a fix); all of them when `puids` is None."""
        stmt = update(SUBMISSIONS).where(SUBMISSIONS.c.state == SubmissionState.REFUSED.value)
        if puids is not None:
            stmt = stmt.where(SUBMISSIONS.c.puid.in_(list(puids)))
        values = {
            "state": SubmissionState.PENDING.value,
            "next_attempt_at": now,
            "settled_at": None,
        }
        return int(core(self.s).execute(stmt.values(**values)).rowcount)

    def submission_counts(self) -> dict[str, int]:
        """Rows per state, and `unsent`: statements with no row yet."""
        conn = core(self.s)
        rows = conn.execute(select(SUBMISSIONS.c.state, func.count()).group_by(SUBMISSIONS.c.state))
        counts = {state: int(n) for state, n in rows}
        unsent = (
            select(func.count())
            .select_from(STATEMENTS.outerjoin(SUBMISSIONS, SUBMISSIONS.c.puid == STATEMENTS.c.id))
            .where(SUBMISSIONS.c.puid.is_(None))
        )
        counts["unsent"] = int(conn.execute(unsent).scalar_one())
        return counts

    def refused(self, limit: int) -> list[tuple[str, dict[str, list[str]]]]:
        stmt = (
            select(SUBMISSIONS.c.puid, SUBMISSIONS.c.errors)
            .where(SUBMISSIONS.c.state == SubmissionState.REFUSED.value)
            .order_by(SUBMISSIONS.c.settled_at)
            .limit(limit)
        )
        return [(r.puid, dict(r.errors or {})) for r in core(self.s).execute(stmt)]


def _with_context() -> Any:
    """Statements with the listing's first date, the notice's trust and the voucher's
    findings, oldest first."""
    st = STATEMENTS.c
    return (
        select(
            STATEMENTS,
            LISTINGS.c.created_at.label("listing_created_at"),
            NOTICES.c.trusted.label("notice_trusted"),
            VOUCHERS.c.findings.label("voucher_findings"),
        )
        .join(LISTINGS, LISTINGS.c.id == st.listing_id)
        .outerjoin(NOTICES, NOTICES.c.id == st.notice_id)
        .outerjoin(VOUCHERS, VOUCHERS.c.id == st.voucher_id)
        .order_by(st.created_at, st.id)
    )


def _facts(row: Any) -> StatementFacts:
    """A row of the statement's columns and the three joined ones."""
    statement = StatementOfReasons(
        id=row.id,
        listing_id=row.listing_id,
        seller_id=row.seller_id,
        measure=row.measure,
        scope=row.scope,
        facts=tuple(row.facts),
        ground=row.ground,
        automated=row.automated,
        redress=row.redress,
        created_at=row.created_at,
        decided_by=row.decided_by,
        voucher_id=row.voucher_id,
        notice_id=row.notice_id,
    )
    findings = row.voucher_findings or []
    hard = tuple(f["code"] for f in findings if f.get("severity") == "hard")
    return StatementFacts(
        statement,
        content_date=row.listing_created_at.date(),
        trusted_flagger=bool(row.notice_trusted),
        finding_codes=hard,
    )
