"""What the console shows of a voucher's reading: its status, the lines read as boxes over the
page, and the declaration against the document field by field, judged by the same rules as
the `voucher.contradicts_document` finding."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from probandi.domain.locales import N_
from probandi.domain.reading.compare import HARD_CONFIDENCE, JUDGES, READ_AS, declared_values
from probandi.domain.reading.model import Extracted, PageText
from probandi.domain.reading.record import ReadingStatus, VoucherReading
from probandi.domain.sellers import VoucherKind
from probandi.domain.vouchers import Declaration, Finding, StoredFile, Voucher

PENDING = frozenset({"queued", "reading"})
LABELS = {
    "queued": N_("reading…"),
    "reading": N_("reading…"),
    "read": N_("read"),
    "failed": N_("failed"),
    "unavailable": N_("reading not available"),
}
ASPECT_SLACK = 0.02  # a levelled (rotated a few degrees) page no longer matches the image


@dataclass(frozen=True)
class LineBox:
    """One line read, in the upright page's pixels."""

    x: int
    y: int
    width: int
    height: int
    text: str
    confidence: float


@dataclass(frozen=True)
class PageBoxes:
    """A page's lines, drawable over the image when the page was read as the image stands."""

    number: int
    width: int
    height: int
    boxes: tuple[LineBox, ...]
    rotated: int
    drawable: bool


@dataclass(frozen=True)
class FieldRow:
    """A field declared, read, or both; `state` is same, differs, unsure, unread or read."""

    name: str
    declared: str | None
    read: str | None
    confidence: float | None
    state: str


@dataclass(frozen=True)
class ReadingView:
    status: str  # queued, reading, read, failed or unavailable
    reason: str | None = None
    note: str | None = None
    kind_guess: str | None = None
    pages: tuple[PageBoxes, ...] = ()
    rows: tuple[FieldRow, ...] = ()
    text: str = ""

    @property
    def label(self) -> str:
        return LABELS.get(self.status, self.status)

    @property
    def pending(self) -> bool:
        return self.status in PENDING


UNAVAILABLE = ReadingView("unavailable")


def reading_view(record: VoucherReading | None, voucher: Voucher) -> ReadingView:
    """The view of one voucher's reading, whatever state it is in (None: no reading kept)."""
    if record is None:
        return UNAVAILABLE
    status = record.status.value
    if record.status is not ReadingStatus.READ or record.fields is None:
        return ReadingView(status, record.error, record.note)
    extracted = record.extracted()
    pages = tuple(_page(i, page, voucher.file) for i, page in enumerate(record.pages))
    return ReadingView(
        status,
        None,
        record.note,
        record.kind_guess,
        pages,
        field_rows(voucher.kind, voucher.declaration, extracted),
        record.text,
    )


def _page(number: int, page: PageText, file: StoredFile) -> PageBoxes:
    boxes = tuple(
        LineBox(left, top, max(1, right - left), max(1, bottom - top), line.text, line.confidence)
        for line in page.lines
        for left, top, right, bottom in (line.box,)
    )
    return PageBoxes(
        number, page.width, page.height, boxes, page.rotated, _drawable(number, page, file)
    )


def _drawable(number: int, page: PageText, file: StoredFile) -> bool:
    """Boxes go over an image only where the page was read as the image stands."""
    if number > 0 or page.rotated or file.media_type == "application/pdf":
        return False
    if not file.width or not file.height or not page.width or not page.height:
        return True
    return abs(file.width / file.height - page.width / page.height) <= ASPECT_SLACK * (
        file.width / file.height
    )


def field_rows(
    kind: VoucherKind, declaration: Declaration, extracted: Extracted
) -> tuple[FieldRow, ...]:
    """Each declared field against the field read for it, then the fields only read."""
    rows: list[FieldRow] = []
    used: set[str] = set()
    for name, declared in declared_values(kind, declaration).items():
        candidates = [f for f in READ_AS[name] if f in extracted.fields]
        used.update(candidates)
        if not declared and not candidates:
            continue
        if not candidates:
            rows.append(FieldRow(name, declared, None, None, "unread"))
            continue
        field = extracted.fields[candidates[0]]
        if not declared:
            rows.append(FieldRow(name, None, field.value, field.confidence, "read"))
            continue
        verdicts = [JUDGES[name](declared, extracted.fields[c], extracted) for c in candidates]
        if any(v.agrees for v in verdicts):
            state = "same"
        elif verdicts[0].clear and field.confidence >= HARD_CONFIDENCE:
            state = "differs"
        else:
            state = "unsure"
        rows.append(FieldRow(name, declared, field.value, field.confidence, state))
    for name, field in extracted.fields.items():
        if name not in used:
            rows.append(FieldRow(name, None, field.value, field.confidence, "read"))
    return tuple(rows)


def contradicted_fields(findings: Iterable[Finding]) -> dict[str, str]:
    """Declared field -> what the document reads instead, from the voucher's findings."""
    return {
        str(f.evidence.get("field")): str(f.evidence.get("read"))
        for f in findings
        if f.code == "voucher.contradicts_document" and f.evidence.get("field")
    }
