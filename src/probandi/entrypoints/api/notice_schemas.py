"""API models of notices, rights holders, the penalty ledger and appeals."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from probandi.domain.actors import Actor
from probandi.domain.appeals import Appeal, AppealSubject
from probandi.domain.commands import UpdateHolderProfile
from probandi.domain.notices import (
    MAX_LISTINGS,
    MAX_TEXT,
    ActionKind,
    NoticeEvidence,
    NoticeItem,
    NoticeReason,
    NoticeRefusal,
    allowed_item_actions,
)
from probandi.domain.notifiers import (
    Authorization,
    HolderKind,
    NotifierRecord,
    TrademarkRegistration,
)
from probandi.domain.penalties import PenaltyEntry, Standing
from probandi.entrypoints.api.schemas import Strict, VoucherOut
from probandi.services.holders import HolderView
from probandi.services.notice_views import NoticeView
from probandi.services.penalties import Ledger

Id = Annotated[str, StringConstraints(min_length=1, max_length=128)]
Text = Annotated[str, StringConstraints(max_length=MAX_TEXT)]
Short = Annotated[str, StringConstraints(min_length=1, max_length=300)]


class NoticeIn(Strict):
    reason: NoticeReason
    listing_ids: Annotated[list[Id], Field(min_length=1, max_length=MAX_LISTINGS)]
    text: Text = ""
    evidence_ids: Annotated[list[Id], Field(max_length=20, default_factory=list)]
    good_faith: bool = Field(
        description="You declare in good faith that the notice is accurate and that you are "
        "the rights holder or act for it."
    )


class EvidenceOut(BaseModel):
    id: str
    sha256: str
    media_type: str
    size: int
    filename: str
    created_at: datetime

    @classmethod
    def from_domain(cls, e: NoticeEvidence) -> EvidenceOut:
        return cls(
            id=e.id,
            sha256=e.file.sha256,
            media_type=e.file.media_type,
            size=e.file.size,
            filename=e.filename,
            created_at=e.created_at,
        )


class CounterNoticeOut(BaseModel):
    statement: str
    voucher_ids: list[str]
    filed_at: datetime


class ActionReportOut(BaseModel):
    kind: str
    authority: str
    reference: str
    reported_at: datetime


class NoticeItemOut(BaseModel):
    id: str
    notice_id: str
    listing_id: str
    seller_id: str
    brand_id: str
    state: str
    created_at: datetime
    seller_due_at: datetime
    counter_notice: CounterNoticeOut | None
    forwarded_at: datetime | None
    holder_due_at: datetime | None
    extended: bool
    action: ActionReportOut | None
    closed_at: datetime | None
    allowed_actions: list[str]

    @classmethod
    def from_domain(cls, i: NoticeItem) -> NoticeItemOut:
        c, a = i.counter, i.action
        return cls(
            id=i.id,
            notice_id=i.notice_id,
            listing_id=i.listing_id,
            seller_id=i.seller_id,
            brand_id=i.brand_id,
            state=i.state.value,
            created_at=i.created_at,
            seller_due_at=i.seller_due_at,
            counter_notice=CounterNoticeOut(
                statement=c.statement, voucher_ids=list(c.voucher_ids), filed_at=c.filed_at
            )
            if c
            else None,
            forwarded_at=i.forwarded_at,
            holder_due_at=i.holder_due_at,
            extended=i.extended,
            action=ActionReportOut(
                kind=a.kind.value,
                authority=a.authority,
                reference=a.reference,
                reported_at=a.reported_at,
            )
            if a
            else None,
            closed_at=i.closed_at,
            allowed_actions=sorted(x.value for x in allowed_item_actions(i.state)),
        )


class CounterResultOut(BaseModel):
    item: NoticeItemOut
    voucher: VoucherOut | None = Field(
        description="The new proof uploaded with the counter-notice, with its findings"
    )


class RefusalOut(BaseModel):
    id: str
    listing_id: str
    code: str
    reason: str

    @classmethod
    def from_domain(cls, r: NoticeRefusal) -> RefusalOut:
        return cls(id=r.id, listing_id=r.listing_id, code=r.code.value, reason=r.reason)


class NoticeOut(BaseModel):
    id: str
    holder_id: str
    reason: str
    text: str
    evidence_ids: list[str]
    trusted: bool
    received_at: datetime
    items: list[NoticeItemOut]
    refused: list[RefusalOut]

    @classmethod
    def from_view(cls, v: NoticeView) -> NoticeOut:
        n = v.notice
        return cls(
            id=n.id,
            holder_id=n.holder_id,
            reason=n.reason.value,
            text=n.text,
            evidence_ids=list(n.evidence_ids),
            trusted=n.trusted,
            received_at=n.created_at,
            items=[NoticeItemOut.from_domain(i) for i in v.items],
            refused=[RefusalOut.from_domain(r) for r in v.refusals],
        )


class NoticeSummaryOut(BaseModel):
    id: str
    holder_id: str
    reason: str
    trusted: bool
    received_at: datetime


class NoticePageOut(BaseModel):
    items: list[NoticeSummaryOut]
    total: int
    limit: int
    offset: int


class WithdrawalIn(Strict):
    listing_ids: Annotated[list[Id], Field(max_length=MAX_LISTINGS)] = Field(
        default_factory=list, description="The listings to withdraw the notice for; empty: all."
    )
    note: Annotated[str, StringConstraints(max_length=2000)] = ""


class ActionReportIn(Strict):
    kind: ActionKind
    authority: Short
    reference: Short


class OutcomeIn(Strict):
    upheld: bool = Field(description="true: ruled for the rights holder; false: for the seller")
    note: Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class RegistrationIn(Strict):
    brand_id: Id
    office: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    number: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    classes: Annotated[list[Annotated[int, Field(ge=1, le=45)]], Field(min_length=1, max_length=45)]
    expires_on: date

    def to_domain(self) -> TrademarkRegistration:
        return TrademarkRegistration(
            self.brand_id, self.office, self.number, tuple(self.classes), self.expires_on
        )


class AuthorizationIn(Strict):
    granted_by: Short
    reference: Short
    expires_on: date

    def to_domain(self) -> Authorization:
        return Authorization(self.granted_by, self.reference, self.expires_on)


class HolderProfileIn(Strict):
    kind: HolderKind = HolderKind.BRAND
    registrations: Annotated[list[RegistrationIn], Field(max_length=200)]
    authorization: AuthorizationIn | None = None

    def to_command(self, actor: Actor, holder_id: str) -> UpdateHolderProfile:
        return UpdateHolderProfile(
            actor,
            holder_id,
            self.kind,
            tuple(r.to_domain() for r in self.registrations),
            self.authorization.to_domain() if self.authorization else None,
        )


class RecordOut(BaseModel):
    since: datetime
    notices: int
    items: int
    open: int
    upheld: int
    withdrawn: int
    counter_succeeded: int
    upheld_share: float
    counter_share: float

    @classmethod
    def from_domain(cls, r: NotifierRecord) -> RecordOut:
        return cls(
            since=r.since,
            notices=r.notices,
            items=r.items,
            open=r.open,
            upheld=r.upheld,
            withdrawn=r.withdrawn,
            counter_succeeded=r.counter_succeeded,
            upheld_share=round(r.upheld_share, 4),
            counter_share=round(r.counter_share, 4),
        )


class HolderOut(BaseModel):
    id: str
    name: str
    kind: str
    registrations: list[RegistrationIn]
    authorization: AuthorizationIn | None
    verified_at: datetime | None
    brands: list[str]
    verified_brands: list[str]
    trusted: bool
    trusted_since: datetime | None
    trusted_enrolled: bool
    trust_cooloff_until: datetime | None
    warned_at: datetime | None
    filing_suspended_until: datetime | None
    record: RecordOut

    @classmethod
    def from_view(cls, v: HolderView) -> HolderOut:
        h = v.holder
        a = h.authorization
        return cls(
            id=h.id,
            name=h.name,
            kind=h.kind.value,
            registrations=[
                RegistrationIn(
                    brand_id=r.brand_id,
                    office=r.office,
                    number=r.number,
                    classes=list(r.classes),
                    expires_on=r.expires_on,
                )
                for r in h.registrations
            ],
            authorization=AuthorizationIn(
                granted_by=a.granted_by, reference=a.reference, expires_on=a.expires_on
            )
            if a
            else None,
            verified_at=h.verified_at,
            brands=sorted(v.brands),
            verified_brands=sorted(v.verified_brands),
            trusted=h.trusted,
            trusted_since=h.trusted_since,
            trusted_enrolled=h.trusted_enrolled,
            trust_cooloff_until=h.trust_cooloff_until,
            warned_at=h.warned_at,
            filing_suspended_until=h.filing_suspended_until,
            record=RecordOut.from_domain(v.record),
        )


class TrustedIn(Strict):
    enrolled: bool


class PenaltyEntryOut(BaseModel):
    id: str
    kind: str
    at: datetime
    reason: str
    decision: str
    listing_id: str | None
    notice_item_id: str | None
    reverses: str | None
    counted: bool  # counts as a strike now (not merged, not reversed, within the window)

    @classmethod
    def from_domain(cls, e: PenaltyEntry, standing: Standing) -> PenaltyEntryOut:
        return cls(
            id=e.id,
            kind=e.kind.value,
            at=e.at,
            reason=e.reason,
            decision=e.decision,
            listing_id=e.listing_id,
            notice_item_id=e.notice_item_id,
            reverses=e.reverses,
            counted=e.id in standing.counted,
        )


class StandingOut(BaseModel):
    strikes: int
    closed: bool
    closed_at: datetime | None
    closed_by: list[str]
    restricted_until: datetime | None


class LedgerOut(BaseModel):
    seller_id: str
    standing: StandingOut
    entries: list[PenaltyEntryOut]

    @classmethod
    def from_ledger(cls, ledger: Ledger) -> LedgerOut:
        st, seller = ledger.standing, ledger.seller
        return cls(
            seller_id=seller.id,
            standing=StandingOut(
                strikes=st.strikes,
                closed=seller.closed_at is not None,
                closed_at=seller.closed_at,
                closed_by=list(st.closed_by),
                restricted_until=seller.gated_restricted_until,
            ),
            entries=[PenaltyEntryOut.from_domain(e, st) for e in ledger.entries],
        )


class ReversalIn(Strict):
    reason: Annotated[str, StringConstraints(min_length=1, max_length=1000)]


class AppealIn(Strict):
    subject: AppealSubject = Field(
        description="notice_item (seller: a removal), penalty (seller: a ledger entry), "
        "refusal (rights holder: a listing its notice was refused for)"
    )
    subject_id: Id
    statement: Annotated[str, StringConstraints(min_length=1, max_length=5000)]


class AppealOut(BaseModel):
    id: str
    subject: str
    subject_id: str
    listing_id: str
    statement: str
    state: str
    created_at: datetime
    task_id: str | None
    decided_at: datetime | None
    reason_code: str | None
    note: str | None

    @classmethod
    def from_domain(cls, a: Appeal) -> AppealOut:
        return cls(
            id=a.id,
            subject=a.subject.value,
            subject_id=a.subject_id,
            listing_id=a.listing_id,
            statement=a.statement,
            state=a.state.value,
            created_at=a.created_at,
            task_id=a.task_id,
            decided_at=a.decided_at,
            reason_code=a.reason_code,
            note=a.note,
        )
