"""Copies of an approved voucher as a forger makes them, for the red-team attack set.

Each attack takes the original's bytes and a seed and returns the copy's bytes; the same seed
gives the same bytes. A photo tilts the page on a desk and blurs it; a screenshot shrinks it
inside dark app chrome; partial copies cut it; a doctored copy keeps the page and re-types its
number, date and QR code. `framed` is not an attack: it is how an honest shop shows its own
documents (a phone screenshot), for the false-hard checks.
"""

from __future__ import annotations

import io
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import cv2
import numpy as np
import pypdfium2 as pdfium
import zxingcpp
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont

from tests.support.vouchers import einvoice_qr_payload, unrelated_document_image

Box = tuple[int, int, int, int]
Attack = Callable[[bytes, int], bytes]
RGB = tuple[int, int, int]

DESKS: tuple[RGB, ...] = ((132, 96, 62), (96, 98, 104), (168, 150, 126), (58, 52, 50))
SCREEN = (720, 1560)  # a phone screen, portrait, at a third of a 1080p phone's density
STATUS_BAR, TOOLBAR, NAV_BAR = 48, 112, 96
CHROME: RGB = (18, 18, 20)
TOOLBAR_COLOUR: RGB = (34, 34, 38)
LIGHT_INK: RGB = (230, 230, 235)
INK: RGB = (35, 35, 40)
A4_POINTS = (595.0, 842.0)
PDF_RESOLUTIONS = (72.0, 96.0, 200.0, 300.0)
PDF_DATE = time.gmtime(1_777_593_600)  # 2026-05-01, so the bytes do not depend on the clock


@dataclass(frozen=True)
class Layout:
    """Where a document kind prints the fields a doctor re-types (pixels of the file)."""

    number: Box
    issued_on: Box
    qr: Box | None
    font_size: int


# The real e-invoice (980 x 575): the number and date after their printed labels, the QR code.
REAL_EINVOICE = Layout(
    number=(681, 76, 728, 91), issued_on=(682, 99, 772, 114), qr=(100, 48, 168, 116), font_size=13
)
# tests/support/vouchers.py: the e-invoice form at (100, 100) on its page, the receipt at (80, 80).
GENERATED_EINVOICE = Layout(
    number=(818, 148, 910, 168),
    issued_on=(818, 174, 930, 194),
    qr=(150, 116, 261, 227),
    font_size=15,
)
RECEIPT = Layout(number=(556, 360, 672, 382), issued_on=(556, 388, 672, 410), qr=None, font_size=16)


def _open(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as image:
        return image.convert("RGB")


def _encode(image: Image.Image, fmt: str = "PNG", quality: int = 90) -> bytes:
    buf = io.BytesIO()
    if fmt == "JPEG":
        image.save(buf, "JPEG", quality=quality)
    else:
        image.save(buf, fmt)
    return buf.getvalue()


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


# --- camera and phone ---------------------------------------------------------------------------


def _desk(size: tuple[int, int], rng: random.Random) -> NDArray[np.float32]:
    """A desk under uneven light: one colour, a gradient across it, a little grain."""
    width, height = size
    colour = np.array(rng.choice(DESKS), dtype=np.float32)
    ramp = np.linspace(0.85, 1.1, width, dtype=np.float32)[None, :, None]
    desk = np.broadcast_to(colour, (height, width, 3)) * ramp
    grain = np.random.default_rng(rng.randrange(2**32)).normal(0, 4, (height, width, 1))
    return np.asarray(desk + grain, dtype=np.float32)


def photo(data: bytes, seed: int = 0, *, border: float = 0.05, tilt: float = 0.03) -> bytes:
    """A phone photo of the page lying on a desk: a `border` of desk on every side, each corner
    moved by up to `tilt` of the page (perspective), uneven light, blur, sensor noise, JPEG."""
    rng = random.Random(seed)
    page = np.asarray(_open(data), dtype=np.float32)
    height, width = page.shape[:2]
    dx, dy = round(width * border), round(height * border)
    canvas = (width + 2 * dx, height + 2 * dy)
    corners = [(0, 0), (width, 0), (width, height), (0, height)]
    moved = [
        (x + dx + rng.uniform(-tilt, tilt) * width, y + dy + rng.uniform(-tilt, tilt) * height)
        for x, y in corners
    ]
    matrix = cv2.getPerspectiveTransform(
        np.array(corners, dtype=np.float32), np.array(moved, dtype=np.float32)
    )
    warped = cv2.warpPerspective(page, matrix, canvas, flags=cv2.INTER_LINEAR)
    inside = cv2.warpPerspective(np.ones((height, width), np.float32), matrix, canvas)[..., None]
    shot = warped * inside + _desk(canvas, rng) * (1 - inside)
    light = np.linspace(1.0, rng.uniform(0.8, 0.92), canvas[1], dtype=np.float32)[:, None, None]
    shot = cv2.GaussianBlur(shot * light, (0, 0), rng.uniform(1.0, 1.6))
    noise = np.random.default_rng(seed).normal(0, 5, shot.shape)
    pixels = np.clip(shot + noise, 0, 255).astype(np.uint8)
    return _encode(Image.fromarray(pixels), "JPEG", quality=rng.randint(75, 88))


def _status_bar(draw: ImageDraw.ImageDraw, width: int) -> None:
    draw.text((28, 12), "9:41", font=_font(22), fill=LIGHT_INK)
    draw.rectangle((width - 70, 16, width - 30, 34), outline=LIGHT_INK, width=2)
    draw.rectangle((width - 66, 20, width - 42, 30), fill=LIGHT_INK)
    for i in range(4):  # signal bars
        draw.rectangle((width - 130 + 9 * i, 32 - 5 * i, width - 124 + 9 * i, 34), fill=LIGHT_INK)


def _toolbar(draw: ImageDraw.ImageDraw, width: int, title: str) -> None:
    draw.rectangle((0, STATUS_BAR, width, STATUS_BAR + TOOLBAR), fill=TOOLBAR_COLOUR)
    middle = STATUS_BAR + TOOLBAR // 2
    draw.line((30, middle, 50, middle - 18), fill=LIGHT_INK, width=4)  # the back arrow
    draw.line((30, middle, 50, middle + 18), fill=LIGHT_INK, width=4)
    draw.text((80, middle - 14), title, font=_font(26), fill=LIGHT_INK)
    for i in range(3):  # the overflow menu
        draw.ellipse(
            (width - 44, middle - 20 + 16 * i, width - 36, middle - 12 + 16 * i), fill=LIGHT_INK
        )


def _nav_bar(draw: ImageDraw.ImageDraw, width: int, height: int) -> None:
    top = height - NAV_BAR
    middle = top + NAV_BAR // 2
    draw.polygon(
        ((width // 4 - 14, middle), (width // 4 + 10, middle - 16), (width // 4 + 10, middle + 16)),
        outline=LIGHT_INK,
    )
    draw.ellipse(
        (width // 2 - 16, middle - 16, width // 2 + 16, middle + 16), outline=LIGHT_INK, width=3
    )
    draw.rectangle(
        (3 * width // 4 - 14, middle - 14, 3 * width // 4 + 14, middle + 14),
        outline=LIGHT_INK,
        width=3,
    )


def _on_screen(page: Image.Image, title: str, margin: int, offset: int) -> Image.Image:
    """The page fitted inside a dark viewer app between its bars, `margin` pixels from the
    screen's sides, `offset` pixels below the content area's centre."""
    width, height = SCREEN
    screen = Image.new("RGB", SCREEN, CHROME)
    draw = ImageDraw.Draw(screen)
    _status_bar(draw, width)
    _toolbar(draw, width, title)
    _nav_bar(draw, width, height)
    top, bottom = STATUS_BAR + TOOLBAR, height - NAV_BAR
    scale = min((width - 2 * margin) / page.width, (bottom - top - 2 * margin) / page.height)
    shown = page.resize(
        (round(page.width * scale), round(page.height * scale)), Image.Resampling.LANCZOS
    )
    y = (top + bottom - shown.height) // 2 + offset
    screen.paste(shown, ((width - shown.width) // 2, max(top, min(y, bottom - shown.height))))
    return screen


def screenshot(data: bytes, seed: int = 0) -> bytes:
    """A phone screenshot of the page open in a viewer: shrunk inside dark app chrome (status
    bar, toolbar, navigation bar, dark margins); PNG, or JPEG when shared through a chat app."""
    rng = random.Random(seed)
    screen = _on_screen(
        _open(data),
        f"IMG_{rng.randrange(10**4):04d}.jpg",
        rng.randint(8, 40),
        rng.randint(-120, 120),
    )
    return _encode(screen, *rng.choice((("PNG", 90), ("JPEG", 85), ("JPEG", 70))))


def framed(data: bytes) -> bytes:
    """A shop's own document as it sends it: a screenshot in the same phone's frame each time."""
    return _encode(_on_screen(_open(data), "Invoice", 16, 0), "PNG")


# --- partial copies -----------------------------------------------------------------------------


def crop_half(data: bytes, seed: int = 0) -> bytes:
    """The top half of the page, as PNG."""
    image = _open(data)
    return _encode(image.crop((0, 0, image.width, image.height // 2)))


def stitched(data: bytes, seed: int = 0) -> bytes:
    """The page's top and bottom halves with an unrelated document's middle between them."""
    image = _open(data)
    half = image.height // 2
    other = _open(unrelated_document_image(seed))
    filler_height = max(1, round(image.height * random.Random(seed).uniform(0.3, 0.6)))
    filler = other.crop(
        (0, 150, other.width, 150 + round(other.width * filler_height / image.width))
    )
    filler = filler.resize((image.width, filler_height), Image.Resampling.LANCZOS)
    out = Image.new("RGB", (image.width, image.height + filler_height), (255, 255, 255))
    out.paste(image.crop((0, 0, image.width, half)), (0, 0))
    out.paste(filler, (0, half))
    out.paste(image.crop((0, half, image.width, image.height)), (0, half + filler_height))
    return _encode(out)


# --- re-encodings -------------------------------------------------------------------------------


def turned(data: bytes, seed: int = 0) -> bytes:
    """The page turned 90 degrees (counter-clockwise), no EXIF to undo it."""
    return _encode(_open(data).transpose(Image.Transpose.ROTATE_90))


def gray_q20(data: bytes, seed: int = 0) -> bytes:
    """Grayscale JPEG at quality 20."""
    buf = io.BytesIO()
    _open(data).convert("L").save(buf, "JPEG", quality=20)
    return buf.getvalue()


def resaved_pdf(data: bytes, seed: int = 0) -> bytes:
    """The image saved as a one-page PDF (Pillow's writer, the image as JPEG) at a resolution
    that renders it at another scale: 72 to 300 dpi, rendered at 150."""
    buf = io.BytesIO()
    _open(data).save(
        buf,
        "PDF",
        resolution=random.Random(seed).choice(PDF_RESOLUTIONS),
        creationDate=PDF_DATE,
        modDate=PDF_DATE,
    )
    return buf.getvalue()


def printed_pdf(data: bytes, seed: int = 0) -> bytes:
    """The image printed to an A4 PDF: placed at a scale of its own, centred, with margins.
    Harder than `resaved_pdf` (the page is white on white, so it cannot be found)."""
    rng = random.Random(seed)
    image = _open(data)
    page_width, page_height = A4_POINTS
    scale = min(page_width * rng.uniform(0.6, 0.85) / image.width, page_height * 0.8 / image.height)
    width, height = image.width * scale, image.height * scale
    document = pdfium.PdfDocument.new()
    page = document.new_page(page_width, page_height)
    picture = pdfium.PdfImage.new(document)
    picture.load_jpeg(io.BytesIO(_encode(image, "JPEG", quality=92)), inline=True)
    left, bottom = (page_width - width) / 2, page_height - height - rng.uniform(40, 120)
    picture.set_matrix(pdfium.PdfMatrix().scale(width, height).translate(left, bottom))
    page.insert_obj(picture)
    page.gen_content()
    buf = io.BytesIO()
    document.save(buf)
    page.close()
    document.close()
    # PDFium writes a random file /ID: a digest of the seed instead, for repeatable bytes.
    file_id = f"<{random.Random(seed).getrandbits(128):032X}>".encode()
    return re.sub(
        rb"/ID\[<[0-9A-F]{32}><[0-9A-F]{32}>\]", b"/ID[" + file_id * 2 + b"]", buf.getvalue()
    )


# --- doctored -----------------------------------------------------------------------------------


def _qr_image(payload: str, size: tuple[int, int]) -> Image.Image:
    barcode = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode)
    pixels = zxingcpp.write_barcode_to_image(barcode, scale=4, add_quiet_zones=False)
    return (
        Image.fromarray(np.asarray(pixels, dtype=np.uint8))
        .convert("RGB")
        .resize(size, Image.Resampling.NEAREST)
    )


def _retype(draw: ImageDraw.ImageDraw, box: Box, words: str, size: int) -> None:
    """A white box over the old text and the new text in it, as an image editor does."""
    draw.rectangle(box, fill=(255, 255, 255))
    draw.text((box[0] + 1, box[1] + 1), words, font=_font(size), fill=INK)


def doctored(data: bytes, seed: int = 0, *, layout: Layout = GENERATED_EINVOICE) -> bytes:
    """The page with its number and date re-typed and, where it has one, its QR code replaced
    by another valid e-invoice QR code (the new number and date, another code)."""
    rng = random.Random(seed)
    image = _open(data)
    draw = ImageDraw.Draw(image)
    number = f"{rng.randrange(10**8):08d}"
    issued_on = date(2026, 1, 1) + timedelta(days=rng.randrange(365))
    _retype(draw, layout.number, number, layout.font_size)
    _retype(draw, layout.issued_on, f"{issued_on:%Y  %m  %d}", layout.font_size)
    if layout.qr is not None:
        payload = einvoice_qr_payload(
            code=f"0{rng.randrange(10**11):011d}",
            number=number,
            amount=Decimal(rng.randrange(10_000, 900_000)) / 100,
            issued_on=issued_on,
            check_code=f"{rng.randrange(10**20):020d}",
        )
        left, top, right, bottom = layout.qr
        image.paste(_qr_image(payload, (right - left, bottom - top)), (left, top))
    return _encode(image)


def attacks(layout: Layout) -> dict[str, Attack]:
    """The attack set for one kind of document, by class name."""

    def doctor(data: bytes, seed: int) -> bytes:
        return doctored(data, seed, layout=layout)

    return {
        "photo": photo,
        "screenshot": screenshot,
        "crop_half": crop_half,
        "stitched": stitched,
        "turned": turned,
        "resaved_pdf": resaved_pdf,
        "gray_q20": gray_q20,
        "doctored": doctor,
    }
