"""Statements read by period for the DSA Transparency Database, with what their records need
and nothing more: the listing's first date, whether a notice came from a trusted flagger,
and the codes of a voucher's hard findings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from probandi.adapters.db.repositories import core
from probandi.adapters.db.rows import ListingRow, NoticeRow, StatementRow, VoucherRow, table_of
from probandi.domain.statements import StatementOfReasons
from probandi.domain.transparency import StatementFacts

STATEMENTS, LISTINGS = table_of(StatementRow), table_of(ListingRow)
NOTICES, VOUCHERS = table_of(NoticeRow), table_of(VoucherRow)


class SqlTransparencySource:
    def __init__(self, session: Session) -> None:
        self.s = session

    def statements_between(
        self, since: datetime, until: datetime, *, after: tuple[datetime, str] | None, limit: int
    ) -> list[StatementFacts]:
        """Statements issued in [since, until), in (created_at, id) order after `after`."""
        st = STATEMENTS.c
        stmt = (
            select(
                STATEMENTS,
                LISTINGS.c.created_at.label("listing_created_at"),
                NOTICES.c.trusted.label("notice_trusted"),
                VOUCHERS.c.findings.label("voucher_findings"),
            )
            .join(LISTINGS, LISTINGS.c.id == st.listing_id)
            .outerjoin(NOTICES, NOTICES.c.id == st.notice_id)
            .outerjoin(VOUCHERS, VOUCHERS.c.id == st.voucher_id)
            .where(st.created_at >= since, st.created_at < until)
            .order_by(st.created_at, st.id)
            .limit(limit)
        )
        if after is not None:
            stmt = stmt.where(
                (st.created_at > after[0]) | and_(st.created_at == after[0], st.id > after[1])
            )
        return [_facts(r) for r in core(self.s).execute(stmt)]


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
