"""Conformance of the `DocumentReader` port's default adapter: text layer or OCR, pages
upright, first pages only, and no text is an empty reading, not an error."""

from __future__ import annotations

import io
import random
import time

import pytest
from PIL import Image

from probandi.adapters.reading.ocr import (
    NO_TEXT,
    OcrDocumentReader,
    _detection_cost,
    _page_size,
    _pieces,
    orientation_view,
)
from probandi.domain.reading.fields import extract
from probandi.domain.reading.model import ReadingTooLong, TextSource
from probandi.domain.sellers import VoucherKind
from probandi.services.ports import DocumentReader
from tests.support.documents import STYLES, Page, Style, generated, receipt, styled

PDF, PNG = "application/pdf", "image/png"


@pytest.fixture(scope="module")
def reader() -> DocumentReader:
    return OcrDocumentReader()


def a_text_pdf(*lines: str) -> bytes:
    """A one-page PDF whose text is a real text layer (Helvetica), no image at all."""
    text = " ".join(f"({ln}) Tj 0 -24 Td" for ln in lines)
    stream = f"BT /F1 16 Tf 60 760 Td {text} ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def an_image_pdf(pages: int) -> bytes:
    images = [Image.new("RGB", (400, 300), "white") for _ in range(pages)]
    buffer = io.BytesIO()
    images[0].save(buffer, "PDF", save_all=True, append_images=images[1:])
    return buffer.getvalue()


def test_a_pdf_text_layer_is_read_without_ocr(reader: DocumentReader) -> None:
    data = a_text_pdf("Invoice No. 33207675", "Date 2019-05-08", "Total 46.62")
    reading = reader.read(data, PDF, max_pages=5)
    [page] = reading.pages
    assert page.source is TextSource.TEXT_LAYER
    assert [line.text for line in page.lines] == [
        "Invoice No. 33207675",
        "Date 2019-05-08",
        "Total 46.62",
    ]
    assert all(line.confidence == 1.0 for line in page.lines)
    assert page.lines[0].box[1] < page.lines[1].box[1]  # top to bottom, in page pixels


def test_only_the_first_pages_of_a_long_pdf_are_read_and_the_reading_says_so(
    reader: DocumentReader,
) -> None:
    reading = reader.read(an_image_pdf(12), PDF, max_pages=2)
    assert len(reading.pages) == 2
    assert reading.truncated_at == 2
    assert reading.note is not None
    assert "first 2 of 12 pages" in reading.note


def test_an_image_without_text_is_an_empty_reading_not_an_error(reader: DocumentReader) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (240, 240, 240)).save(buffer, "PNG")
    reading = reader.read(buffer.getvalue(), PNG, max_pages=1)
    assert [page.lines for page in reading.pages] == [()]
    assert reading.note == NO_TEXT
    assert reading.truncated_at is None


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_a_turned_page_is_read_upright(reader: DocumentReader, rotation: int) -> None:
    image, truth, _ = receipt(random.Random(rotation))
    data = styled(image, Style(rotation=rotation), random.Random(0))
    reading = reader.read(data, PNG, max_pages=1)
    assert reading.pages[0].rotated == rotation
    extracted = extract(reading)
    assert extracted.kind_guess is VoucherKind.MALL_RECEIPT
    assert extracted.value("number") == truth["number"]
    assert extracted.value("date") == truth["date"]


def test_the_generator_covers_every_kind_and_style() -> None:
    documents = generated(len(STYLES) * 4)
    assert {d.kind for d in documents} == set(VoucherKind) - {VoucherKind.TRANSACTION_RECORD}
    assert all(d.altered for d in documents)


def test_a_reading_past_its_deadline_stops_before_the_next_page(reader: DocumentReader) -> None:
    with pytest.raises(ReadingTooLong, match="before page 1"):
        reader.read(an_image_pdf(3), "application/pdf", max_pages=3, deadline=time.monotonic())


def _lines_page(width: int, height: int, step: int, size: int) -> tuple[bytes, list[str]]:
    """A page of numbered lines `step` pixels apart: a long phone screenshot when tall."""
    page = Page(width, height)
    texts = []
    for n, y in enumerate(range(20, height - size - 10, step)):
        texts.append(f"订单编号 {n:03d} 金额 {100 + 7 * n}.50")
        page.text((40, y), texts[-1], size)
    buffer = io.BytesIO()
    page.image.save(buffer, "PNG")
    return buffer.getvalue(), texts


def test_a_long_screenshot_is_read_in_pieces_every_line_once_in_order(
    reader: DocumentReader,
) -> None:
    # 1080 x 7000: read whole it would make detection hold about 2 GB. The line pitch puts
    # lines across every cut between pieces.
    data, texts = _lines_page(1080, 7000, 97, 34)
    page = reader.read(data, PNG, max_pages=1).pages[0]
    read = [line.text.replace(" ", "") for line in page.lines]
    assert read == [t.replace(" ", "") for t in texts]
    tops = [line.box[1] for line in page.lines]
    assert tops == sorted(tops)
    assert page.height > 4 * page.width  # boxes are on the whole page, not on a piece


def test_a_wide_banner_is_read_with_its_aspect_bounded(reader: DocumentReader) -> None:
    page = Page(3000, 160)
    page.text((40, 50), "发票号码 33207675 开票日期 2019年05月08日 金额 46.62", 48)
    buffer = io.BytesIO()
    page.image.save(buffer, "PNG")
    read = reader.read(buffer.getvalue(), PNG, max_pages=1).pages[0]
    assert "33207675" in "".join(line.text for line in read.lines)
    assert read.height < read.width / 4  # the white margin is not part of the page


@pytest.mark.parametrize(
    "size", [(1080, 20000), (20000, 300), (6320, 6320), (300, 60), (60, 300), (2000, 1000)]
)
def test_detection_sees_a_bounded_image_whatever_the_page_shape(size: tuple[int, int]) -> None:
    page = _page_size(*size)
    pieces = _pieces(Image.new("RGB", page, "white"))
    assert max(_detection_cost(piece.size) for *_, piece in pieces) <= 1_300_000 * 300
    assert len(pieces) <= 8
    assert _detection_cost(orientation_view(Image.new("RGB", size)).size) <= 1_300_000 * 300
