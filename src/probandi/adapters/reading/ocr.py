"""The default `DocumentReader`: a PDF's own text layer where it has one, OCR elsewhere.

OCR is rapidocr_onnxruntime (PP-OCRv4 detection and recognition, the mobile direction
classifier), whose models ship inside the wheel: nothing is downloaded. One engine per
process, loaded on first use; each page runs single-threaded (two threads gave 1.3x the speed
for 1.5x the CPU on the reference machine), so concurrent readers scale by process or thread.

A page is turned upright before it is read: text detection on the page as it is, then the
direction classifier on the detected lines (the engine turns tall crops a quarter first, so
its 0/180 vote also tells a page turned 90 from one turned 270). Pages come through the
forensic decode pipeline, so the decode budget and pixel limits apply.

Memory: text detection holds about `DETECTION_BYTES_PER_PIXEL` per pixel it sees, so a page is
read at most `WORKING_PIXELS` pixels (and `WORKING_SIDE` on its longer side), and the reading
holds its share of the same `DecodeBudget` as the uploads' decodes while it runs; lines are
recognized one at a time (no padded batches: less memory, and faster here), and freed memory
goes back to the system after each page.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Any

import numpy as np
import pypdfium2 as pdfium
from PIL import Image

from probandi.adapters.forensics.decode import (
    DEFAULT_BUDGET,
    PDF,
    PDF_DPI,
    PDFIUM_LOCK,
    DecodeBudget,
    decode_image,
    open_pdf,
    render_pdf,
)
from probandi.domain.reading.model import PageText, Reading, ReadingTooLong, ReadLine, TextSource

WORKING_SIDE = 2000  # the OCR's own limit: larger pages are reduced to it first
WORKING_PIXELS = 1_200_000  # and so are pages of more pixels than this
DETECTION_BYTES_PER_PIXEL = 300  # measured peak of PP-OCRv4 detection, single-threaded
DETECTION_MIN_SIDE = 736  # the engine enlarges a page until its shorter side is this
ENGINE_MAX_SIDE = 2000  # and reduces it until its longer side is this
MAX_ASPECT = 2.0  # a piece read at once is at most this much longer than wide
PIECE_SIDE = 800  # the width a tall page is read at (a long screenshot: text stays legible)
PIECE_OVERLAP = 0.12  # of the width: the tallest line read whole across pieces
MAX_PIECES = 8  # a longer page is reduced to this many pieces' length
ORIENTATION_SIDE = 960  # orientation is judged on the page's head at most this long
TEXT_LAYER_MIN_CHARS = 8  # fewer characters than this: the page is an image
TALL = 1.5  # a box this much taller than wide is a line of text turned a quarter
NO_TEXT = "no text found"
MIN_SKEW = 0.5  # degrees; less is not worth a resampled copy
WHITE = (255, 255, 255)

_engines: dict[str, Any] = {}
_engine_lock = threading.Lock()


def engine() -> Any:
    """The process's rapidocr engine, loaded once; its ONNX sessions may run concurrently."""
    with _engine_lock:
        if "ocr" not in _engines:
            from rapidocr_onnxruntime import RapidOCR

            _engines["ocr"] = RapidOCR(
                intra_op_num_threads=1,
                inter_op_num_threads=1,
                rec_batch_num=1,
            )
        return _engines["ocr"]


class OcrDocumentReader:
    """Text layer first, OCR for image pages; the first `max_pages` pages only."""

    def __init__(self, budget: DecodeBudget | None = None) -> None:
        self._budget = budget or DEFAULT_BUDGET

    def read(
        self, data: bytes, media_type: str, *, max_pages: int, deadline: float | None = None
    ) -> Reading:
        if media_type == PDF:
            pages, total = self._read_pdf(data, max_pages, deadline)
        else:
            pages, total = [read_image(decode_image(data, self._budget), self._budget)], 1
        truncated = len(pages) if total > len(pages) else None
        reading = Reading(tuple(pages), truncated)
        notes = [NO_TEXT] if reading.empty else []
        if truncated is not None:
            notes.append(f"read the first {truncated} of {total} pages")
        return Reading(reading.pages, truncated, "; ".join(notes) or None)

    def _read_pdf(
        self, data: bytes, max_pages: int, deadline: float | None
    ) -> tuple[list[PageText], int]:
        layers, total = text_layers(data, max_pages)
        images = [i for i, layer in enumerate(layers) if layer is None]
        rendered = render_pdf(data, max_pages, WORKING_SIDE, budget=self._budget) if images else []
        pages = []
        for index, layer in enumerate(layers):
            if layer is None and deadline is not None and time.monotonic() > deadline:
                raise ReadingTooLong(f"stopped before page {index + 1}: over the time limit")
            pages.append(layer if layer is not None else read_image(rendered[index], self._budget))
        return pages, total


def text_layers(data: bytes, max_pages: int) -> tuple[list[PageText | None], int]:
    """Each page's text layer as lines in render pixels, or None for a page without one."""
    layers: list[PageText | None] = []
    with PDFIUM_LOCK:
        document = open_pdf(data)
        try:
            total = len(document)
            for index in range(min(total, max_pages)):
                page = document[index]
                try:
                    layers.append(_text_layer(page))
                finally:
                    page.close()
        finally:
            document.close()
    return layers, total


def _text_layer(page: pdfium.PdfPage) -> PageText | None:
    width, height = page.get_size()
    scale = min(PDF_DPI / 72, WORKING_SIDE / max(width, height, 1))
    textpage = page.get_textpage()
    try:
        if len(textpage.get_text_range().strip()) < TEXT_LAYER_MIN_CHARS:
            return None
        lines: list[ReadLine] = []
        for i in range(textpage.count_rects()):
            left, bottom, right, top = textpage.get_rect(i)
            text = textpage.get_text_bounded(left, bottom, right, top).strip()
            if text:
                box = (
                    round(left * scale),
                    round((height - top) * scale),
                    round(right * scale),
                    round((height - bottom) * scale),
                )
                lines.append(ReadLine(text, 1.0, box))
    finally:
        textpage.close()
    lines.sort(key=lambda line: (line.box[1], line.box[0]))
    size = (round(width * scale), round(height * scale))
    return PageText(tuple(lines), size[0], size[1], 0, TextSource.TEXT_LAYER)


def working_size(width: int, height: int) -> tuple[int, int]:
    """The size a page is read at: within `WORKING_SIDE` and `WORKING_PIXELS`, never enlarged."""
    scale = min(
        1.0,
        WORKING_SIDE / max(width, height, 1),
        math.sqrt(WORKING_PIXELS / max(1, width * height)),
    )
    return max(1, round(width * scale)), max(1, round(height * scale))


def read_image(image: Image.Image, budget: DecodeBudget | None = None) -> PageText:
    """One page image read by OCR, turned upright first, within the memory `budget`.

    Detection enlarges a page until its shorter side is `DETECTION_MIN_SIDE`, so what it
    holds grows with the page's aspect ratio: a page is read in pieces no longer than
    `MAX_ASPECT` times their width. A tall page (a long screenshot) is cut into overlapping
    pieces, each line read in the piece that holds its middle; a wide one gets a white margin
    below. Boxes are on the page as read, at most `WORKING_SIDE` wide or tall."""
    ocr, budget = engine(), budget or DEFAULT_BUDGET
    view = orientation_view(image)
    with budget.hold(_detection_cost(view.size), trim=True):
        turn, skew = upright_turn(ocr, view)
    if abs(skew) >= MIN_SKEW:
        # Rows must be level for labels and values to share one: a photo is rarely square.
        image = image.rotate(skew, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=WHITE)
    if turn:
        # PIL turns counter-clockwise; `turn` is the clockwise quarter-turns needed.
        image = image.rotate(-turn, expand=True)
    page = _page_size(*image.size)
    if page != image.size:
        image = image.resize(page, Image.Resampling.LANCZOS)
    lines: list[ReadLine] = []
    for top, own_from, own_to, piece in _pieces(image):
        with budget.hold(_detection_cost(piece.size), trim=True):
            result, _ = ocr(piece)
        for box, text, score in result or ():
            line = _line(box, text, score, top)
            if own_from <= (line.box[1] + line.box[3]) / 2 < own_to:
                lines.append(line)
    return PageText(tuple(lines), image.width, image.height, turn, TextSource.OCR)


def _page_size(width: int, height: int) -> tuple[int, int]:
    """A tall page keeps its length (read in pieces) and gets the width a piece may have; a
    wide one is sized with the margin it gets; any other page is read within `working_size`."""
    if height > MAX_ASPECT * width:
        side = min(width, PIECE_SIDE)
        piece, overlap = round(MAX_ASPECT * side), round(side * PIECE_OVERLAP)
        longest = MAX_PIECES * piece - (MAX_PIECES - 1) * overlap
        return side, max(1, min(round(height * side / width), longest))
    if width > MAX_ASPECT * height:
        padded = working_size(width, math.ceil(width / MAX_ASPECT))
        scale = padded[0] / width
        return padded[0], max(1, round(height * scale))
    return working_size(width, height)


def _pieces(image: Image.Image) -> list[tuple[int, float, float, Image.Image]]:
    """(top, own band from, own band to, piece): overlapping pieces of a tall page, each line
    owned by the piece holding its middle; a wide page padded white below."""
    width, height = image.size
    if width > MAX_ASPECT * height:
        padded = Image.new("RGB", (width, math.ceil(width / MAX_ASPECT)), WHITE)
        padded.paste(image, (0, 0))
        return [(0, -math.inf, math.inf, padded)]
    length = round(MAX_ASPECT * width)
    if height <= length:
        return [(0, -math.inf, math.inf, image)]
    overlap = round(width * PIECE_OVERLAP)
    tops = [*range(0, height - length, length - overlap), height - length]
    pieces = []
    for i, top in enumerate(tops):
        own_from = -math.inf if i == 0 else top + (tops[i - 1] + length - top) / 2
        own_to = math.inf if i == len(tops) - 1 else (top + length + tops[i + 1]) / 2
        pieces.append((top, own_from, own_to, image.crop((0, top, width, top + length))))
    return pieces


def orientation_view(image: Image.Image) -> Image.Image:
    """Where a page's orientation is judged, at a bounded cost: its leading part no longer
    than `MAX_ASPECT` times its shorter side, at most `ORIENTATION_SIDE` pixels long."""
    width, height = image.size
    if height > MAX_ASPECT * width:
        image = image.crop((0, 0, width, round(MAX_ASPECT * width)))
    elif width > MAX_ASPECT * height:
        image = image.crop((0, 0, round(MAX_ASPECT * height), height))
    small = image.convert("RGB")  # a copy: thumbnail() works in place
    small.thumbnail((ORIENTATION_SIDE, ORIENTATION_SIDE), Image.Resampling.BILINEAR)
    return small


def _detection_cost(size: tuple[int, int]) -> int:
    """Bytes detection holds for an image of this size, enlarged as the engine enlarges it."""
    width, height = size
    grow = max(1.0, DETECTION_MIN_SIDE / max(1, min(width, height)))
    shrink = min(1.0, ENGINE_MAX_SIDE / max(width, height, 1))
    return round(width * height * (grow * shrink) ** 2 * DETECTION_BYTES_PER_PIXEL)


def _line(points: list[list[float]], text: str, score: float, top: int = 0) -> ReadLine:
    xs, ys = [pt[0] for pt in points], [pt[1] + top for pt in points]
    box = (round(min(xs)), round(min(ys)), round(max(xs)), round(max(ys)))
    return ReadLine(str(text), round(float(score), 4), box)


def upright_turn(ocr: Any, view: Image.Image) -> tuple[int, float]:
    """Degrees (clockwise) the page must turn to stand upright, 0, 90, 180 or 270, and the
    small skew of its lines (degrees, counter-clockwise) to level them first; `view` is the
    page's `orientation_view`."""
    bgr = np.ascontiguousarray(np.asarray(view.convert("RGB"))[:, :, ::-1])
    boxes, _ = ocr.text_det(bgr)
    long_boxes = [b for b in boxes if _elongation(b) >= TALL] if boxes is not None else []
    if not long_boxes:
        return 0, 0.0
    tall = sum(_length(b) for b in long_boxes if _is_tall(b))
    wide = sum(_length(b) for b in long_boxes if not _is_tall(b))
    crops = ocr.get_crop_img_list(bgr, long_boxes)
    _, votes, _ = ocr.text_cls(crops)
    flipped = sum(
        _length(b) * float(score) * (1 if label == "180" else -1)
        for b, (label, score) in zip(long_boxes, votes, strict=True)
        if _is_tall(b) == (tall > wide)
    )
    skew = _skew(long_boxes)
    if tall > wide:
        # A tall crop is turned a quarter counter-clockwise before classification: upright
        # then means the page stands turned 90 clockwise, and needs 270 more.
        return (90 if flipped > 0 else 270), skew
    return (180 if flipped > 0 else 0), skew


def _skew(boxes: list[Any]) -> float:
    """The length-weighted median angle of the lines' long edges off the nearest axis."""
    angles: list[tuple[float, float]] = []
    for box in boxes:
        top, side = box[1] - box[0], box[3] - box[0]
        edge = top if np.linalg.norm(top) >= np.linalg.norm(side) else side
        angle = math.degrees(math.atan2(float(edge[1]), float(edge[0])))
        angles.append((((angle + 45) % 90) - 45, _length(box)))
    angles.sort()
    half, running = sum(w for _, w in angles) / 2, 0.0
    for angle, weight in angles:
        running += weight
        if running >= half:
            return angle
    return 0.0


def _sides(box: Any) -> tuple[float, float]:
    width = float(max(np.linalg.norm(box[0] - box[1]), np.linalg.norm(box[2] - box[3])))
    height = float(max(np.linalg.norm(box[0] - box[3]), np.linalg.norm(box[1] - box[2])))
    return width, height


def _is_tall(box: Any) -> bool:
    width, height = _sides(box)
    return height > width


def _elongation(box: Any) -> float:
    width, height = _sides(box)
    return max(width, height) / max(1.0, min(width, height))


def _length(box: Any) -> float:
    return max(_sides(box))
