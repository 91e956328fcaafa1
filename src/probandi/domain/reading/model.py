"""What a document says, as read: lines of text with boxes and confidences, per page, and the
fields drawn from them. Pure data; the reading adapter and the rules fill it."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from probandi.domain.sellers import VoucherKind

Box = tuple[int, int, int, int]  # left, top, right, bottom, in the upright page's pixels


class TextSource(enum.StrEnum):
    TEXT_LAYER = "text_layer"  # a PDF's own text: exact, confidence 1
    OCR = "ocr"


class ReadingTooLong(Exception):
    """A reading stopped at its time limit: no further page is read."""


@dataclass(frozen=True)
class ReadLine:
    """One line (or box) of text as the reader saw it."""

    text: str
    confidence: float  # 0..1
    box: Box


@dataclass(frozen=True)
class PageText:
    """The lines of one page, in reading order, on the page turned upright."""

    lines: tuple[ReadLine, ...]
    width: int
    height: int
    rotated: int  # degrees the page was turned (clockwise) to stand upright: 0, 90, 180, 270
    source: TextSource


@dataclass(frozen=True)
class Reading:
    """Every page read; `truncated_at` is the page count read when the document had more."""

    pages: tuple[PageText, ...]
    truncated_at: int | None = None
    note: str | None = None  # e.g. "no text found"

    @property
    def lines(self) -> tuple[ReadLine, ...]:
        return tuple(line for page in self.pages for line in page.lines)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def empty(self) -> bool:
        return not any(page.lines for page in self.pages)


@dataclass(frozen=True)
class Field:
    """A value drawn from the document, how sure the reading is of it, and where it stands."""

    value: str
    confidence: float
    box: Box | None = None
    page: int = 0


@dataclass(frozen=True)
class Extracted:
    """The fields of a document and the kind it reads as (None: no kind could be told)."""

    kind_guess: VoucherKind | None
    kind_confidence: float
    fields: dict[str, Field] = field(default_factory=dict)
    text: str = ""  # every line read, in reading order

    def value(self, name: str) -> str | None:
        found = self.fields.get(name)
        return found.value if found else None
