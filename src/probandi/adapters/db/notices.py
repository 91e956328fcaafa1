"""Repositories of the notice flow: rights holders, notices and their items, the penalty
ledger and appeals, each mapping rows to the domain explicitly."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import String, cast, func, insert, select
from sqlalchemy.orm import Session

from probandi.adapters.db.repositories import _flush_or_conflict, core
from probandi.adapters.db.rows import (
    AppealRow,
    NoticeEvidenceRow,
    NoticeItemRow,
    NoticeRefusalRow,
    NoticeRow,
    PenaltyEntryRow,
    RightsHolderRow,
    table_of,
)
from probandi.domain.appeals import Appeal, AppealState, AppealSubject
from probandi.domain.errors import Conflict
from probandi.domain.notices import (
    HOLDING,
    ActionKind,
    ActionReport,
    CounterNotice,
    ItemState,
    Notice,
    NoticeEvidence,
    NoticeItem,
    NoticeReason,
    NoticeRefusal,
    Refusal,
)
from probandi.domain.notifiers import (
    Authorization,
    HolderKind,
    ItemOutcome,
    RightsHolder,
    TrademarkRegistration,
)
from probandi.domain.penalties import PenaltyEntry, PenaltyKind
from probandi.domain.vouchers import StoredFile

# --- mapping ---------------------------------------------------------------------------


def holder_to_domain(row: RightsHolderRow) -> RightsHolder:
    auth = row.agent_authorization
    return RightsHolder(
        id=row.id,
        name=row.name,
        created_at=row.created_at,
        kind=HolderKind(row.kind),
        registrations=tuple(
            TrademarkRegistration(
                brand_id=r["brand_id"],
                office=r["office"],
                number=r["number"],
                classes=tuple(r["classes"]),
                expires_on=date.fromisoformat(r["expires_on"]),
            )
            for r in row.registrations or ()
        ),
        authorization=Authorization(
            auth["granted_by"], auth["reference"], date.fromisoformat(auth["expires_on"])
        )
        if auth
        else None,
        verified_at=row.verified_at,
        verified_by=row.verified_by,
        trusted_since=row.trusted_since,
        trusted_enrolled=row.trusted_enrolled,
        trust_cooloff_until=row.trust_cooloff_until,
        warned_at=row.warned_at,
        filing_suspended_until=row.filing_suspended_until,
    )


def holder_to_row(h: RightsHolder, row: RightsHolderRow) -> None:
    row.name, row.kind, row.created_at = h.name, h.kind.value, h.created_at
    row.registrations = [
        {
            "brand_id": r.brand_id,
            "office": r.office,
            "number": r.number,
            "classes": list(r.classes),
            "expires_on": r.expires_on.isoformat(),
        }
        for r in h.registrations
    ]
    a = h.authorization
    row.agent_authorization = (
        {
            "granted_by": a.granted_by,
            "reference": a.reference,
            "expires_on": a.expires_on.isoformat(),
        }
        if a
        else None
    )
    row.verified_at, row.verified_by = h.verified_at, h.verified_by
    row.trusted_since, row.trusted_enrolled = h.trusted_since, h.trusted_enrolled
    row.trust_cooloff_until, row.warned_at = h.trust_cooloff_until, h.warned_at
    row.filing_suspended_until = h.filing_suspended_until


def notice_to_domain(row: NoticeRow) -> Notice:
    return Notice(
        id=row.id,
        holder_id=row.holder_id,
        reason=NoticeReason(row.reason),
        text=row.text,
        evidence_ids=tuple(row.evidence_ids),
        good_faith=row.good_faith,
        trusted=row.trusted,
        created_at=row.created_at,
        created_by=row.created_by,
    )


def _counter_json(c: CounterNotice | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {
        "statement": c.statement,
        "voucher_ids": list(c.voucher_ids),
        "filed_at": c.filed_at.isoformat(),
    }


def _action_json(a: ActionReport | None) -> dict[str, Any] | None:
    if a is None:
        return None
    return {
        "kind": a.kind.value,
        "authority": a.authority,
        "reference": a.reference,
        "reported_at": a.reported_at.isoformat(),
    }


def item_to_domain(row: NoticeItemRow) -> NoticeItem:
    c, a = row.counter, row.action
    return NoticeItem(
        id=row.id,
        notice_id=row.notice_id,
        holder_id=row.holder_id,
        listing_id=row.listing_id,
        seller_id=row.seller_id,
        brand_id=row.brand_id,
        created_at=row.created_at,
        seller_due_at=row.seller_due_at,
        state=ItemState(row.state),
        counter=CounterNotice(
            c["statement"], tuple(c["voucher_ids"]), datetime.fromisoformat(c["filed_at"])
        )
        if c
        else None,
        forwarded_at=row.forwarded_at,
        holder_due_at=row.holder_due_at,
        extended=row.extended,
        action=ActionReport(
            ActionKind(a["kind"]),
            a["authority"],
            a["reference"],
            datetime.fromisoformat(a["reported_at"]),
        )
        if a
        else None,
        decided_by=row.decided_by,
        closed_at=row.closed_at,
        version=row.version,
    )


def item_values(i: NoticeItem) -> dict[str, Any]:
    return {
        "id": i.id,
        "notice_id": i.notice_id,
        "holder_id": i.holder_id,
        "listing_id": i.listing_id,
        "seller_id": i.seller_id,
        "brand_id": i.brand_id,
        "state": i.state.value,
        "created_at": i.created_at,
        "seller_due_at": i.seller_due_at,
        "counter": _counter_json(i.counter),
        "forwarded_at": i.forwarded_at,
        "holder_due_at": i.holder_due_at,
        "extended": i.extended,
        "action": _action_json(i.action),
        "decided_by": i.decided_by,
        "closed_at": i.closed_at,
        "version": i.version,
    }


def penalty_to_domain(row: PenaltyEntryRow) -> PenaltyEntry:
    return PenaltyEntry(
        id=row.id,
        seller_id=row.seller_id,
        kind=PenaltyKind(row.kind),
        at=row.at,
        reason=row.reason,
        decision=row.decision,
        actor=row.actor,
        listing_id=row.listing_id,
        notice_item_id=row.notice_item_id,
        statement_id=row.statement_id,
        reverses=row.reverses,
    )


def appeal_to_domain(row: AppealRow) -> Appeal:
    return Appeal(
        id=row.id,
        subject=AppealSubject(row.subject),
        subject_id=row.subject_id,
        appellant=row.appellant,
        listing_id=row.listing_id,
        statement=row.statement,
        created_at=row.created_at,
        decision_at=row.decision_at,
        original_decider=row.original_decider,
        state=AppealState(row.state),
        task_id=row.task_id,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        reason_code=row.reason_code,
        note=row.note,
    )


def appeal_to_row(a: Appeal, row: AppealRow) -> None:
    row.subject, row.subject_id, row.appellant = a.subject.value, a.subject_id, a.appellant
    row.listing_id, row.statement, row.created_at = a.listing_id, a.statement, a.created_at
    row.decision_at, row.original_decider = a.decision_at, a.original_decider
    row.state, row.task_id, row.decided_by = a.state.value, a.task_id, a.decided_by
    row.decided_at, row.reason_code, row.note = a.decided_at, a.reason_code, a.note


# --- repositories ----------------------------------------------------------------------


class SqlRightsHolderRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def exists(self, holder_id: str) -> bool:
        return self.s.get(RightsHolderRow, holder_id) is not None

    def add(self, holder_id: str, name: str, created_at: datetime) -> None:
        self.s.add(RightsHolderRow(id=holder_id, name=name, created_at=created_at, kind="brand"))
        self.s.flush()

    def get(self, holder_id: str, *, for_update: bool = False) -> RightsHolder | None:
        if for_update:
            row = self.s.execute(
                select(RightsHolderRow).where(RightsHolderRow.id == holder_id).with_for_update()
            ).scalar_one_or_none()
        else:
            row = self.s.get(RightsHolderRow, holder_id)
        return holder_to_domain(row) if row else None

    def save(self, holder: RightsHolder) -> None:
        row = self.s.get(RightsHolderRow, holder.id)
        assert row is not None
        holder_to_row(holder, row)
        _flush_or_conflict(self.s, "rights holder")


ITEMS, REFUSALS = table_of(NoticeItemRow), table_of(NoticeRefusalRow)


class SqlNoticeRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add_evidence(self, evidence: NoticeEvidence) -> None:
        f = evidence.file
        self.s.add(
            NoticeEvidenceRow(
                id=evidence.id,
                holder_id=evidence.holder_id,
                sha256=f.sha256,
                media_type=f.media_type,
                size=f.size,
                filename=evidence.filename,
                created_at=evidence.created_at,
            )
        )
        self.s.flush()

    def evidence(self, evidence_ids: Collection[str]) -> list[NoticeEvidence]:
        if not evidence_ids:
            return []
        rows = self.s.execute(
            select(NoticeEvidenceRow).where(NoticeEvidenceRow.id.in_(evidence_ids))
        ).scalars()
        return [
            NoticeEvidence(
                r.id,
                r.holder_id,
                StoredFile(r.sha256, r.size, r.media_type),
                r.filename,
                r.created_at,
            )
            for r in rows
        ]

    def add(self, notice: Notice) -> None:
        self.s.add(
            NoticeRow(
                id=notice.id,
                holder_id=notice.holder_id,
                reason=notice.reason.value,
                text=notice.text,
                evidence_ids=list(notice.evidence_ids),
                good_faith=notice.good_faith,
                trusted=notice.trusted,
                created_at=notice.created_at,
                created_by=notice.created_by,
            )
        )
        self.s.flush()

    def get(self, notice_id: str) -> Notice | None:
        row = self.s.get(NoticeRow, notice_id)
        return notice_to_domain(row) if row else None

    def add_items(self, items: Sequence[NoticeItem]) -> None:
        if items:
            core(self.s).execute(insert(ITEMS), [item_values(i) for i in items])

    def add_refusals(self, refusals: Sequence[NoticeRefusal]) -> None:
        if refusals:
            core(self.s).execute(
                insert(REFUSALS),
                [
                    {
                        "id": r.id,
                        "notice_id": r.notice_id,
                        "listing_id": r.listing_id[:128],
                        "code": r.code.value,
                        "reason": r.reason,
                    }
                    for r in refusals
                ],
            )

    def items(self, notice_id: str) -> list[NoticeItem]:
        rows = self.s.execute(
            select(NoticeItemRow)
            .where(NoticeItemRow.notice_id == notice_id)
            .order_by(NoticeItemRow.listing_id)
        ).scalars()
        return [item_to_domain(r) for r in rows]

    def item(self, notice_id: str, listing_id: str) -> NoticeItem | None:
        row = self.s.execute(
            select(NoticeItemRow).where(
                NoticeItemRow.notice_id == notice_id, NoticeItemRow.listing_id == listing_id
            )
        ).scalar_one_or_none()
        return item_to_domain(row) if row else None

    def item_by_id(self, item_id: str) -> NoticeItem | None:
        row = self.s.get(NoticeItemRow, item_id)
        return item_to_domain(row) if row else None

    def save_item(self, item: NoticeItem) -> NoticeItem:
        """Write if nobody moved the item since it was read (else raise Conflict)."""
        row = self.s.get(NoticeItemRow, item.id)
        assert row is not None
        if row.version != item.version:
            raise Conflict("the notice item was changed by someone else", version=row.version)
        for key, value in item_values(item).items():
            if key not in ("id", "version"):
                setattr(row, key, value)
        _flush_or_conflict(self.s, "notice item")
        return item_to_domain(row)

    def page(
        self, *, holder_id: str | None, seller_id: str | None, limit: int, offset: int
    ) -> tuple[list[Notice], int]:
        """Newest first: a holder's notices, or those naming a seller's listings, or all."""
        query = select(NoticeRow)
        if holder_id is not None:
            query = query.where(NoticeRow.holder_id == holder_id)
        if seller_id is not None:
            mine = select(NoticeItemRow.notice_id).where(NoticeItemRow.seller_id == seller_id)
            query = query.where(NoticeRow.id.in_(mine))
        total = self.s.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        rows = self.s.execute(
            query.order_by(NoticeRow.created_at.desc(), NoticeRow.id).limit(limit).offset(offset)
        ).scalars()
        return [notice_to_domain(r) for r in rows], int(total)

    def refusals(self, notice_id: str) -> list[NoticeRefusal]:
        rows = self.s.execute(
            select(NoticeRefusalRow)
            .where(NoticeRefusalRow.notice_id == notice_id)
            .order_by(NoticeRefusalRow.listing_id)
        ).scalars()
        return [NoticeRefusal(r.id, r.notice_id, r.listing_id, Refusal(r.code)) for r in rows]

    def refusal(self, refusal_id: str) -> NoticeRefusal | None:
        r = self.s.get(NoticeRefusalRow, refusal_id)
        return NoticeRefusal(r.id, r.notice_id, r.listing_id, Refusal(r.code)) if r else None

    def holding(self, holder_id: str, listing_ids: Collection[str]) -> set[str]:
        """Which of these listings an open item of this holder already holds."""
        if not listing_ids:
            return set()
        rows = self.s.execute(
            select(NoticeItemRow.listing_id).where(
                NoticeItemRow.holder_id == holder_id,
                NoticeItemRow.listing_id.in_(listing_ids),
                NoticeItemRow.state.in_([s.value for s in HOLDING]),
            )
        ).scalars()
        return set(rows)

    def forwarded_proof(self, holder_id: str, voucher_id: str) -> bool:
        """Whether a counter-notice naming this voucher was forwarded to this holder."""
        if not voucher_id.isalnum() or len(voucher_id) > 32:
            return False
        row = self.s.execute(
            select(NoticeItemRow.id)
            .where(
                NoticeItemRow.holder_id == holder_id,
                NoticeItemRow.forwarded_at.is_not(None),
                cast(NoticeItemRow.counter, String).contains(f'"{voucher_id}"'),
            )
            .limit(1)
        ).first()
        return row is not None

    def seller_overdue(self, now: datetime, limit: int) -> list[NoticeItem]:
        return self._due(NoticeItemRow.seller_due_at, ItemState.SUSPENDED, now, limit)

    def holder_overdue(self, now: datetime, limit: int) -> list[NoticeItem]:
        return self._due(NoticeItemRow.holder_due_at, ItemState.FORWARDED, now, limit)

    def _due(self, column: Any, state: ItemState, now: datetime, limit: int) -> list[NoticeItem]:
        rows = self.s.execute(
            select(NoticeItemRow)
            .where(NoticeItemRow.state == state.value, column < now)
            .order_by(column)
            .limit(limit)
        ).scalars()
        return [item_to_domain(r) for r in rows]

    def outcomes(self, holder_id: str, since: datetime) -> tuple[list[ItemOutcome], int]:
        """The holder's items filed since `since`, and how many notices they came in."""
        rows = self.s.execute(
            select(
                NoticeItemRow.state,
                NoticeItemRow.created_at,
                NoticeItemRow.closed_at,
                NoticeItemRow.counter.is_not(None).label("countered"),
                NoticeItemRow.notice_id,
            ).where(NoticeItemRow.holder_id == holder_id, NoticeItemRow.created_at >= since)
        ).all()
        outcomes = [
            ItemOutcome(ItemState(r.state), r.created_at, r.closed_at, bool(r.countered))
            for r in rows
        ]
        notices = self.s.execute(
            select(func.count())
            .select_from(NoticeRow)
            .where(NoticeRow.holder_id == holder_id, NoticeRow.created_at >= since)
        ).scalar_one()
        return outcomes, int(notices)


class SqlPenaltyRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add(self, entry: PenaltyEntry) -> None:
        self.s.add(
            PenaltyEntryRow(
                id=entry.id,
                seller_id=entry.seller_id,
                kind=entry.kind.value,
                at=entry.at,
                reason=entry.reason[:1000],
                decision=entry.decision[:100],
                actor=entry.actor[:200],
                listing_id=entry.listing_id,
                notice_item_id=entry.notice_item_id,
                statement_id=entry.statement_id,
                reverses=entry.reverses,
            )
        )
        _flush_or_conflict(self.s, "penalty ledger")

    def get(self, entry_id: str) -> PenaltyEntry | None:
        row = self.s.get(PenaltyEntryRow, entry_id)
        return penalty_to_domain(row) if row else None

    def for_seller(self, seller_id: str) -> list[PenaltyEntry]:
        rows = self.s.execute(
            select(PenaltyEntryRow)
            .where(PenaltyEntryRow.seller_id == seller_id)
            .order_by(PenaltyEntryRow.at, PenaltyEntryRow.reverses.is_not(None), PenaltyEntryRow.id)
        ).scalars()
        return [penalty_to_domain(r) for r in rows]

    def for_item(self, item_id: str) -> list[PenaltyEntry]:
        rows = self.s.execute(
            select(PenaltyEntryRow)
            .where(PenaltyEntryRow.notice_item_id == item_id)
            .order_by(PenaltyEntryRow.at, PenaltyEntryRow.id)
        ).scalars()
        return [penalty_to_domain(r) for r in rows]


class SqlAppealRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add(self, appeal: Appeal) -> None:
        row = AppealRow(id=appeal.id)
        appeal_to_row(appeal, row)
        self.s.add(row)
        self.s.flush()

    def get(self, appeal_id: str) -> Appeal | None:
        row = self.s.get(AppealRow, appeal_id)
        return appeal_to_domain(row) if row else None

    def save(self, appeal: Appeal) -> None:
        row = self.s.get(AppealRow, appeal.id)
        assert row is not None
        appeal_to_row(appeal, row)
        self.s.flush()

    def open_for(self, subject: AppealSubject, subject_id: str) -> Appeal | None:
        row = self.s.execute(
            select(AppealRow).where(
                AppealRow.subject == subject.value,
                AppealRow.subject_id == subject_id,
                AppealRow.state == AppealState.OPEN.value,
            )
        ).scalar_one_or_none()
        return appeal_to_domain(row) if row else None

    def of_appellant(self, appellant: str, limit: int) -> list[Appeal]:
        rows = self.s.execute(
            select(AppealRow)
            .where(AppealRow.appellant == appellant)
            .order_by(AppealRow.created_at.desc())
            .limit(limit)
        ).scalars()
        return [appeal_to_domain(r) for r in rows]
