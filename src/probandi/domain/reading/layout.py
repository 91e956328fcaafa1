"""Finding a labelled value on a read page: in the label's own box ("发票号码：33207675", or glued,
"发票号码33207675"), in the next box to the right on the same row, or in the box below."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from probandi.domain.reading.model import Box, Field, Reading
from probandi.domain.reading.normalize import digit_runs, folded, parse_dates

SEPARATORS = " :：;；,，.。|"
NEXT_BOX = 0.95  # a value in another box than its label: a little less sure it belongs to it
BELOW = 0.85
FALLBACK = 0.6  # a value found by its shape alone, without its label


@dataclass(frozen=True)
class Cell:
    """One read box, width-folded, with its page."""

    text: str
    confidence: float
    box: Box
    page: int

    @property
    def middle_y(self) -> float:
        return (self.box[1] + self.box[3]) / 2

    @property
    def height(self) -> int:
        return max(1, self.box[3] - self.box[1])


def cells_of(reading: Reading) -> list[Cell]:
    return [
        Cell(folded(line.text).strip(), line.confidence, line.box, index)
        for index, page in enumerate(reading.pages)
        for line in page.lines
        if line.text.strip()
    ]


def same_row(a: Cell, b: Cell) -> bool:
    if a.page != b.page:
        return False
    overlap = min(a.box[3], b.box[3]) - max(a.box[1], b.box[1])
    return overlap >= 0.5 * min(a.height, b.height)


def right_of(cells: Sequence[Cell], anchor: Cell) -> list[Cell]:
    """Boxes on the anchor's row to its right, nearest first."""
    row = [c for c in cells if c is not anchor and same_row(c, anchor)]
    row = [c for c in row if c.box[0] >= anchor.box[2] - anchor.height]
    return sorted(row, key=lambda c: c.box[0])


def below(cells: Sequence[Cell], anchor: Cell) -> list[Cell]:
    """Boxes under the anchor that share some of its columns, nearest first."""
    under = [
        c
        for c in cells
        if c.page == anchor.page
        and c.box[1] >= anchor.middle_y + anchor.height * 0.3
        and c.box[1] - anchor.box[3] < 3 * anchor.height
        and min(c.box[2], anchor.box[2]) - max(c.box[0], anchor.box[0]) > 0
    ]
    return sorted(under, key=lambda c: c.box[1])


Parse = Callable[[str], str | None]


@dataclass(frozen=True)
class Hit:
    """A label found, with the value read after it."""

    label: Cell
    field: Field


def find_labelled(
    cells: Sequence[Cell], label: re.Pattern[str], parse: Parse, *, look_below: bool = True
) -> list[Hit]:
    """Every occurrence of `label` with a value `parse` accepts, in reading order."""
    hits: list[Hit] = []
    for cell in cells:
        match = label.search(cell.text)
        if match is None:
            continue
        value = parse(cell.text[match.end() :].strip(SEPARATORS))
        if value is not None:
            hits.append(Hit(cell, Field(value, cell.confidence, cell.box, cell.page)))
            continue
        hit = _neighbour(cells, cell, parse, look_below=look_below)
        if hit is not None:
            hits.append(hit)
    return hits


def _neighbour(cells: Sequence[Cell], cell: Cell, parse: Parse, *, look_below: bool) -> Hit | None:
    for other in right_of(cells, cell)[:2]:
        value = parse(other.text.strip(SEPARATORS))
        if value is not None:
            field = Field(value, other.confidence * NEXT_BOX, other.box, other.page)
            return Hit(cell, field)
    if look_below:
        for other in below(cells, cell)[:1]:
            value = parse(other.text.strip(SEPARATORS))
            if value is not None:
                return Hit(cell, Field(value, other.confidence * BELOW, other.box, other.page))
    return None


def first(hits: Sequence[Hit]) -> Field | None:
    return hits[0].field if hits else None


def best(hits: Sequence[Hit]) -> Field | None:
    return max((h.field for h in hits), key=lambda f: f.confidence, default=None)


def by_shape(cells: Sequence[Cell], lengths: tuple[int, ...]) -> Field | None:
    """The first box holding nothing but a run of digits of one of these lengths."""
    for cell in cells:
        runs = digit_runs(cell.text, lengths)
        if runs and len(re.sub(r"\D", "", cell.text)) == len(runs[0]):
            return Field(runs[0], cell.confidence * FALLBACK, cell.box, cell.page)
    return None


def any_date(cells: Sequence[Cell]) -> Field | None:
    """The first date on the document, label or none."""
    for cell in cells:
        dates = parse_dates(cell.text)
        if dates:
            return Field(dates[0].isoformat(), cell.confidence * FALLBACK, cell.box, cell.page)
    return None
