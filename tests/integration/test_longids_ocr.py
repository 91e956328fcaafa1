"""The real e-invoice's long ids, read by OCR, against a photo of it, its top half, and another
invoice of the same seller on the same template."""

from __future__ import annotations

import io
import random

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from probandi.adapters.reading.ocr import OcrDocumentReader
from probandi.domain.forensics.longids import (
    COPY_SHARE,
    TEMPLATE_SHARE,
    id_pieces,
    id_runs,
    id_share,
    usable,
)
from probandi.domain.reading.model import Reading
from tests.conftest import shared_data

# The seller's own ids, on every invoice it issues: tax id, telephone, bank account.
SELLER_IDS = ("91120222079642398Y", "57807000", "12001720800052531259")


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _read(data: bytes, media_type: str = "image/png") -> Reading:
    return OcrDocumentReader().read(data, media_type, max_pages=1)


@pytest.fixture(scope="module")
def real_invoice() -> Image.Image:
    with Image.open(shared_data() / "invoices" / "e-invoice-real.png") as image:
        return image.convert("RGB")


@pytest.fixture(scope="module")
def real_reading(real_invoice: Image.Image) -> Reading:
    return _read(_png(real_invoice))


def _photographed(image: Image.Image) -> bytes:
    """On a desk (5 % border), in perspective, blurred, noisy, as a JPEG."""
    width, height = image.size
    border = round(width * 0.05)
    canvas = Image.new("RGB", (width + 2 * border, height + 2 * border), (140, 110, 80))
    canvas.paste(image, (border, border))
    w, h = canvas.size
    corners = np.array([(0, 0), (w, 0), (w, h), (0, h)], dtype=np.float32)
    moved = np.array([(25, 30), (w - 10, 5), (w - 30, h - 12), (8, h - 35)], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(corners, moved)
    warped = cv2.warpPerspective(np.asarray(canvas), matrix, (w, h), borderValue=(90, 70, 50))
    blurred = np.asarray(Image.fromarray(warped).filter(ImageFilter.GaussianBlur(1.2)))
    noise = np.random.default_rng(16).normal(0, 6, blurred.shape)
    pixels = np.clip(blurred.astype(np.float32) * 0.92 + 10 + noise, 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def _same_seller_invoice(image: Image.Image, reading: Reading) -> bytes:
    """Another invoice of this seller: every id but the seller's own painted over with another
    of the same shape (code, number, check code, machine number, cipher area, order number)."""
    rng = random.Random(16)
    page = image.copy()
    draw = ImageDraw.Draw(page)
    for line in reading.lines:
        runs = id_runs(line.text)
        if not runs or any(kept in line.text for kept in SELLER_IDS):
            continue
        left, top, right, bottom = line.box
        draw.rectangle((left - 1, top - 1, right + 1, bottom + 1), fill=(255, 255, 255))
        other = " ".join(
            "".join(rng.choice("0123456789") if ch.isdigit() else ch for ch in run) for run in runs
        )
        font = ImageFont.load_default(size=max(10, bottom - top - 2))
        draw.text((left, top), other, font=font, fill=(30, 30, 30))
    return _png(page)


def test_the_real_invoice_has_ids_enough_to_be_compared(real_reading: Reading) -> None:
    assert usable(id_pieces(real_reading.text))


def test_a_photo_of_the_real_invoice_keeps_a_copys_share_of_its_ids(
    real_invoice: Image.Image, real_reading: Reading
) -> None:
    photo = _read(_photographed(real_invoice), "image/jpeg")
    assert id_share(id_pieces(real_reading.text), id_pieces(photo.text)) >= COPY_SHARE


def test_the_top_half_of_the_real_invoice_keeps_a_copys_share_of_its_ids(
    real_invoice: Image.Image, real_reading: Reading
) -> None:
    top = real_invoice.crop((0, 0, real_invoice.width, real_invoice.height // 2))
    half = _read(_png(top))
    assert id_share(id_pieces(real_reading.text), id_pieces(half.text)) >= COPY_SHARE


def test_another_invoice_of_the_same_seller_shares_no_more_than_a_template(
    real_invoice: Image.Image, real_reading: Reading
) -> None:
    other = _read(_same_seller_invoice(real_invoice, real_reading))
    shared = id_share(id_pieces(real_reading.text), id_pieces(other.text))
    assert 0 < shared <= TEMPLATE_SHARE  # the seller's tax id and account are on both
