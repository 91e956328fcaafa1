"""What a voucher's document says, as read, and where it contradicts the declaration."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from probandi.domain.reading.model import Field, PageText
from probandi.entrypoints.api.deps import CurrentActor, Svc
from probandi.services.readings import FieldComparison, ReadingView, view_reading

router = APIRouter(prefix="/v1", tags=["vouchers"])


class ReadFieldOut(BaseModel):
    value: str
    confidence: float
    box: list[int] | None
    page: int

    @classmethod
    def from_domain(cls, f: Field) -> ReadFieldOut:
        return cls(
            value=f.value, confidence=f.confidence, box=list(f.box) if f.box else None, page=f.page
        )


class ReadLineOut(BaseModel):
    text: str
    confidence: float
    box: list[int]


class ReadPageOut(BaseModel):
    width: int
    height: int
    rotated: int
    source: str
    lines: list[ReadLineOut]

    @classmethod
    def from_domain(cls, p: PageText) -> ReadPageOut:
        lines = [
            ReadLineOut(text=ln.text, confidence=ln.confidence, box=list(ln.box)) for ln in p.lines
        ]
        return cls(
            width=p.width, height=p.height, rotated=p.rotated, source=p.source.value, lines=lines
        )


class ContradictionOut(BaseModel):
    field: str
    declared: str | None
    read: str | None
    confidence: float | None
    differs: bool

    @classmethod
    def from_domain(cls, c: FieldComparison) -> ContradictionOut:
        return cls(
            field=c.field,
            declared=c.declared,
            read=c.read,
            confidence=c.confidence,
            differs=c.differs,
        )


class VoucherReadingOut(BaseModel):
    voucher_id: str
    status: str  # queued | reading | read | failed, or none: never queued
    kind_guess: str | None
    fields: dict[str, ReadFieldOut]
    pages: list[ReadPageOut]
    text: str
    note: str | None
    truncated_at: int | None
    error: str | None
    queued_at: datetime | None
    finished_at: datetime | None
    contradictions: list[ContradictionOut]

    @classmethod
    def unread(cls, voucher_id: str) -> VoucherReadingOut:
        return cls(
            voucher_id=voucher_id,
            status="none",
            kind_guess=None,
            fields={},
            pages=[],
            text="",
            note=None,
            truncated_at=None,
            error=None,
            queued_at=None,
            finished_at=None,
            contradictions=[],
        )

    @classmethod
    def from_domain(cls, view: ReadingView) -> VoucherReadingOut:
        r = view.reading
        return cls(
            voucher_id=r.voucher_id,
            status=r.status.value,
            kind_guess=r.kind_guess,
            fields={k: ReadFieldOut.from_domain(f) for k, f in (r.fields or {}).items()},
            pages=[ReadPageOut.from_domain(p) for p in r.pages],
            text=r.text,
            note=r.note,
            truncated_at=r.truncated_at,
            error=r.error,
            queued_at=r.queued_at,
            finished_at=r.finished_at,
            contradictions=[ContradictionOut.from_domain(c) for c in view.contradictions],
        )


@router.get("/vouchers/{voucher_id}/reading", response_model=VoucherReadingOut)
def get_voucher_reading(voucher_id: str, actor: CurrentActor, svc: Svc) -> VoucherReadingOut:
    """The document as read: fields, lines with boxes per page, and declared vs read per
    field (a seller: its own vouchers only); status `none` when it was never queued."""
    view = view_reading(voucher_id, actor, svc=svc)
    if view is None:  # stored before vouchers were read, or with reading turned off
        return VoucherReadingOut.unread(voucher_id)
    return VoucherReadingOut.from_domain(view)
