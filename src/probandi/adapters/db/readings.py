"""Voucher readings: the table, the explicit row<->domain mapping and the repository."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from probandi.adapters.db.repositories import same_document_uses
from probandi.adapters.db.rows import Base, Json, VoucherRow
from probandi.adapters.db.types import UtcDateTime
from probandi.domain.forensics.findings import PriorDocumentUse
from probandi.domain.reading.model import Field, PageText, ReadLine, TextSource
from probandi.domain.reading.record import ReadingStatus, VoucherReading
from probandi.domain.vouchers import VoucherStatus


class VoucherReadingRow(Base):
    __tablename__ = "voucher_readings"
    voucher_id: Mapped[str] = mapped_column(ForeignKey("vouchers.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    kind_guess: Mapped[str | None] = mapped_column(String(32))
    fields: Mapped[dict[str, Any] | None] = mapped_column(Json)
    pages: Mapped[list[Any] | None] = mapped_column(Json)
    text: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    truncated_at: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    queued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer)
    # The document's own key as read (issuer and number), for the ledger and number reuse.
    document_key: Mapped[str | None] = mapped_column(String(400), index=True)
    id_pieces: Mapped[int | None] = mapped_column(Integer)  # its long-id pieces indexed


class VoucherIdPieceRow(Base):
    """One 8-character piece of a voucher's long ids as read (migration 0010)."""

    __tablename__ = "voucher_id_pieces"
    piece: Mapped[str] = mapped_column(String(16), primary_key=True)
    voucher_id: Mapped[str] = mapped_column(ForeignKey("vouchers.id"), primary_key=True, index=True)
    seller_id: Mapped[str] = mapped_column(String(128))


def _box(raw: Any) -> tuple[int, int, int, int] | None:
    return (int(raw[0]), int(raw[1]), int(raw[2]), int(raw[3])) if raw else None


def field_to_json(f: Field) -> dict[str, Any]:
    return {
        "value": f.value,
        "confidence": f.confidence,
        "box": list(f.box) if f.box else None,
        "page": f.page,
    }


def page_to_json(p: PageText) -> dict[str, Any]:
    return {
        "width": p.width,
        "height": p.height,
        "rotated": p.rotated,
        "source": p.source.value,
        "lines": [
            {"text": ln.text, "confidence": ln.confidence, "box": list(ln.box)} for ln in p.lines
        ],
    }


def page_to_domain(raw: dict[str, Any]) -> PageText:
    lines = tuple(
        ReadLine(ln["text"], float(ln["confidence"]), _box(ln["box"]) or (0, 0, 0, 0))
        for ln in raw.get("lines", [])
    )
    return PageText(
        lines, int(raw["width"]), int(raw["height"]), int(raw["rotated"]), TextSource(raw["source"])
    )


def reading_to_domain(row: VoucherReadingRow) -> VoucherReading:
    fields = None
    if row.fields is not None:
        fields = {
            name: Field(str(f["value"]), float(f["confidence"]), _box(f.get("box")), f["page"])
            for name, f in row.fields.items()
        }
    return VoucherReading(
        voucher_id=row.voucher_id,
        status=ReadingStatus(row.status),
        queued_at=row.queued_at,
        attempts=row.attempts,
        kind_guess=row.kind_guess,
        fields=fields,
        pages=tuple(page_to_domain(p) for p in row.pages or []),
        text=row.text or "",
        note=row.note,
        truncated_at=row.truncated_at,
        error=row.error,
        finished_at=row.finished_at,
    )


def reading_to_row(r: VoucherReading, row: VoucherReadingRow) -> None:
    row.status, row.kind_guess = r.status.value, r.kind_guess
    row.fields = None if r.fields is None else {k: field_to_json(f) for k, f in r.fields.items()}
    row.pages = [page_to_json(p) for p in r.pages]
    row.text, row.note, row.truncated_at, row.error = r.text, r.note, r.truncated_at, r.error
    row.queued_at, row.finished_at, row.attempts = r.queued_at, r.finished_at, r.attempts


class SqlReadingRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def get(self, voucher_id: str, *, lock: bool = False) -> VoucherReading | None:
        row = self.s.get(VoucherReadingRow, voucher_id, with_for_update=lock or None)
        return reading_to_domain(row) if row is not None else None

    def add(self, reading: VoucherReading) -> None:
        row = VoucherReadingRow(voucher_id=reading.voucher_id, document_key=None)
        reading_to_row(reading, row)
        self.s.add(row)
        self.s.flush()

    def save(self, reading: VoucherReading, *, document_key: str | None = None) -> None:
        row = self.s.get(VoucherReadingRow, reading.voucher_id, with_for_update=True)
        assert row is not None
        reading_to_row(reading, row)
        row.document_key = document_key
        self.s.flush()

    def statuses(self, voucher_ids: Collection[str]) -> dict[str, ReadingStatus]:
        if not voucher_ids:
            return {}
        rows = self.s.execute(
            select(VoucherReadingRow.voucher_id, VoucherReadingRow.status).where(
                VoucherReadingRow.voucher_id.in_(list(voucher_ids))
            )
        )
        return {vid: ReadingStatus(status) for vid, status in rows}

    def pending_by_listing(self, listing_ids: Collection[str]) -> dict[str, set[ReadingStatus]]:
        """Per listing, the reading states of its vouchers pending review, in one query."""
        if not listing_ids:
            return {}
        rows = self.s.execute(
            select(VoucherRow.listing_id, VoucherReadingRow.status)
            .join(VoucherReadingRow, VoucherReadingRow.voucher_id == VoucherRow.id)
            .where(VoucherRow.listing_id.in_(list(listing_ids)))
            .where(VoucherRow.status == VoucherStatus.PENDING_REVIEW.value)
        )
        found: dict[str, set[ReadingStatus]] = {}
        for listing_id, status in rows:
            found.setdefault(listing_id, set()).add(ReadingStatus(status))
        return found

    def add_id_pieces(self, voucher_id: str, seller_id: str, pieces: Collection[str]) -> None:
        """Index a voucher's long-id pieces once (a reading is finished once)."""
        self.s.add_all(
            VoucherIdPieceRow(piece=p, voucher_id=voucher_id, seller_id=seller_id)
            for p in sorted(set(pieces))
        )
        row = self.s.get(VoucherReadingRow, voucher_id)
        if row is not None:
            row.id_pieces = len(set(pieces))
        self.s.flush()

    def id_pieces_of(self, voucher_id: str) -> frozenset[str]:
        rows = self.s.execute(
            select(VoucherIdPieceRow.piece).where(VoucherIdPieceRow.voucher_id == voucher_id)
        )
        return frozenset(r.piece for r in rows)

    def unindexed_ids(self, limit: int) -> list[str]:
        """Vouchers read before their long ids were indexed, oldest first."""
        rows = self.s.execute(
            select(VoucherReadingRow.voucher_id)
            .where(
                VoucherReadingRow.status == ReadingStatus.READ.value,
                VoucherReadingRow.id_pieces.is_(None),
            )
            .order_by(VoucherReadingRow.finished_at, VoucherReadingRow.voucher_id)
            .limit(limit)
        )
        return [r.voucher_id for r in rows]

    def sharing_id_pieces(
        self, pieces: Collection[str], *, other_than_seller: str, at_least: int, limit: int
    ) -> list[tuple[str, int, int]]:
        """Other sellers' vouchers sharing at least `at_least` of `pieces`: (voucher id,
        pieces shared, pieces it has), most shared first."""
        if not pieces:
            return []
        shared = func.count().label("shared")
        rows = self.s.execute(
            select(VoucherIdPieceRow.voucher_id, shared, VoucherReadingRow.id_pieces)
            .join(VoucherReadingRow, VoucherReadingRow.voucher_id == VoucherIdPieceRow.voucher_id)
            .where(VoucherIdPieceRow.piece.in_(sorted(set(pieces))))
            .where(VoucherIdPieceRow.seller_id != other_than_seller)
            .group_by(VoucherIdPieceRow.voucher_id, VoucherReadingRow.id_pieces)
            .having(func.count() >= at_least)
            .order_by(shared.desc(), VoucherIdPieceRow.voucher_id)
            .limit(limit)
        )
        return [(vid, int(n), int(total or 0)) for vid, n, total in rows]

    def same_document(self, keys: Collection[str], *, besides: str) -> list[PriorDocumentUse]:
        """Vouchers whose declared key, or whose document as read, is one of `keys`, oldest
        first."""
        return same_document_uses(self.s, keys, besides=besides)
